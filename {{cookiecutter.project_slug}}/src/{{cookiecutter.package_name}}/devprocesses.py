"""Processes of the development stack: each in its own process group, ready when it answers.

Stopping one stops its whole group (MLflow's and uvicorn's workers too), so nothing outlives it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

# Generous: on a loaded 2-core machine the dashboard and MLflow take minutes to import.
READY_TIMEOUT_SECONDS = 300.0
STOP_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Service:
    """One process of the stack and the address that answers once it is ready."""

    name: str
    command: list[str]
    ready_url: str
    env: Mapping[str, str] = field(default_factory=dict)


class ServiceFailedError(Exception):
    """A process of the stack exited or did not become ready; the message shows its log."""


@dataclass
class Running:
    service: Service
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def running(
    services: Sequence[Service], *, env: Mapping[str, str], logs: Path, echo: bool
) -> Iterator[list[Running]]:
    """Start every service in its own process group; on exit stop them all, children included.

    Each one's output goes to `<logs>/<name>.log` (and to stdout, prefixed, with `echo`).
    """
    logs.mkdir(parents=True, exist_ok=True)
    started: list[Running] = []
    try:
        for service in services:
            log = logs / f"{service.name}.log"
            process = subprocess.Popen(  # noqa: S603 -- our own commands, no shell
                service.command,
                env={**env, **service.env},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # Own process group: Ctrl-C reaches only us, and stopping reaches its children.
                start_new_session=True,
            )
            started.append(Running(service, process, log))
            assert process.stdout is not None
            threading.Thread(
                target=_copy_output,
                args=(process.stdout, log, service.name if echo else None),
                daemon=True,
            ).start()
        wait_until_ready(started)
        yield started
    finally:
        stop(started)


def _copy_output(stream: IO[bytes], log: Path, prefix: str | None) -> None:
    with log.open("wb") as handle:
        for line in iter(stream.readline, b""):
            handle.write(line)
            handle.flush()
            if prefix is not None:
                sys.stdout.write(f"{prefix:>9} | {line.decode(errors='replace')}")
                sys.stdout.flush()


def wait_until_ready(started: Sequence[Running]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    waiting = list(started)
    while waiting:
        for item in list(waiting):
            if item.process.poll() is not None:
                raise ServiceFailedError(
                    f"{item.service.name} exited with code {item.process.returncode}:\n"
                    + log_tail(item.log)
                )
            try:
                if httpx.get(item.service.ready_url, timeout=2).is_success:
                    waiting.remove(item)
            except httpx.HTTPError:
                pass
        if waiting and time.monotonic() > deadline:
            names = ", ".join(item.service.name for item in waiting)
            raise ServiceFailedError(
                f"not ready within {READY_TIMEOUT_SECONDS:.0f}s: {names}\n"
                + "\n".join(log_tail(item.log) for item in waiting)
            )
        if waiting:
            time.sleep(0.3)


def stop(started: Sequence[Running]) -> None:
    """SIGTERM to each process group, SIGKILL to what is still there after the timeout."""
    for item in started:
        _signal_group(item.process, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for item in started:
        with suppress(subprocess.TimeoutExpired):
            item.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        # Workers a service started (MLflow's, uvicorn's) go with their group in any case.
        _signal_group(item.process, signal.SIGKILL)
        item.process.wait()


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def log_tail(log: Path, lines: int = 30) -> str:
    text = log.read_text(errors="replace") if log.exists() else ""
    return "\n".join(f"    {line}" for line in text.splitlines()[-lines:]) or "    (no output)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def busy_ports(ports: Mapping[str, int]) -> list[str]:
    busy = []
    for name, port in ports.items():
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                busy.append(f"{port} ({name})")
    return busy
