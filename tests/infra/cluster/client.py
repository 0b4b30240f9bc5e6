"""The running cluster as the tests use it: kubectl and ctr against it, images copied in from
Docker, port-forwards, and its state in one file for a failed test's report."""

from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tests.infra.apiserver import KubectlTarget
from tests.infra.cluster.settings import CONTAINERD_SOCKET

CTR = "ctr"
DOCKER = os.environ.get("DOCKER", "/usr/bin/docker")


@dataclass(frozen=True)
class Cluster(KubectlTarget):
    version: str
    workdir: Path
    containerd_socket: Path = CONTAINERD_SOCKET

    def ctr(
        self, *args: str, stdin: IO[bytes] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """Debian's ctr against the cluster's containerd, in kubelet's k8s.io namespace."""
        return subprocess.run(
            [CTR, "--address", str(self.containerd_socket), "--namespace", "k8s.io", *args],
            stdin=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )

    def load_images(self, *docker_images: str) -> None:
        """Copies images from the Docker daemon into the cluster's containerd (`docker save | ctr
        images import`), so pods naming them as Docker does (`standin/postgres:15`) start with
        `imagePullPolicy: IfNotPresent` or `Never`; both sides normalise to `docker.io/...`."""
        if not docker_images:
            return
        save = subprocess.Popen([DOCKER, "save", *docker_images], stdout=subprocess.PIPE)
        assert save.stdout is not None
        try:
            imported = self.ctr("images", "import", "-", stdin=save.stdout, timeout=600)
        finally:
            save.stdout.close()
            saved = save.wait()
        if saved != 0 or imported.returncode != 0:
            raise RuntimeError(f"docker save | ctr images import failed: {imported.stderr.strip()}")
        known = set(self.ctr("images", "ls", "--quiet").stdout.split())
        missing = [image for image in docker_images if normalised_image(image) not in known]
        if missing:
            raise RuntimeError(f"not in the cluster's containerd after the import: {missing}")

    @contextmanager
    def port_forward(self, namespace: str, target: str, remote_port: int) -> Iterator[int]:
        """`kubectl port-forward --address 127.0.0.1 <target> :<remote_port>`; yields the local
        port once it accepts connections, stops the forward afterwards."""
        argv = ("--namespace", namespace, "port-forward", "--address", "127.0.0.1", target, f":{remote_port}")
        process = subprocess.Popen(
            self.kubectl_argv(*argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        lines: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        # Drained all along: kubectl writes a line per connection and would block on a full pipe.
        reader = threading.Thread(target=_drain, args=(process.stdout, lines), daemon=True)
        reader.start()
        try:
            deadline = time.monotonic() + 60
            port = _forwarded_port(process, lines, target, deadline)
            _wait_for_port(port, deadline)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            reader.join(timeout=5)

    def dump_state(self, path: Path | None = None) -> Path:
        """Nodes, pods, events and every pod's logs in one file (for a failed test's report)."""
        path = path or self.workdir / "cluster-state.txt"
        with path.open("w") as out:
            for args in (
                ("get", "nodes,all", "--all-namespaces", "--output=wide"),
                ("describe", "pods", "--all-namespaces"),
                ("get", "events", "--all-namespaces", "--sort-by=.lastTimestamp"),
            ):
                out.write(f"$ kubectl {' '.join(args)}\n{self._kubectl_text(*args)}\n")
            for pod_dir in sorted((self.workdir / "pod-logs").glob("*/*")):
                for log in sorted(pod_dir.glob("*.log")):
                    out.write(f"--- {pod_dir.parent.name}/{pod_dir.name}/{log.name}\n")
                    out.write(log.read_text(errors="replace")[-20000:] + "\n")
        return path

    def _kubectl_text(self, *args: str) -> str:
        try:
            result = self.kubectl_run(*args, timeout=30)
        except subprocess.TimeoutExpired:
            return "(timed out)"
        return result.stdout + result.stderr


def normalised_image(name: str) -> str:
    """What Docker and containerd both make of a short image name: docker.io/library/x:latest."""
    first, _, rest = name.partition("/")
    if not rest or ("." not in first and ":" not in first and first != "localhost"):
        name = f"docker.io/{name}" if rest else f"docker.io/library/{name}"
    if "@" not in name and ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return name


def _drain(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def _forwarded_port(
    process: subprocess.Popen[str], lines: queue.Queue[str], target: str, deadline: float
) -> int:
    """The local port from kubectl's `Forwarding from 127.0.0.1:<port> -> ...` line."""
    seen: list[str] = []
    while True:
        if time.monotonic() > deadline or (process.poll() is not None and lines.empty()):
            raise RuntimeError(f"kubectl port-forward {target} gave no port: {''.join(seen)}")
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if match := re.search(r"Forwarding from 127\.0\.0\.1:(\d+) ->", line):
            return int(match.group(1))


def _wait_for_port(port: int, deadline: float) -> None:
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
