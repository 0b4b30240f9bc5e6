"""`dev`, `dev demo` and `dev smoke`: the whole system as local processes, stopped cleanly."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.devstack import curl_command, unattended

from tests.fixtures.embedded import seed_store


@pytest.mark.parametrize(
    ("ci", "is_terminal", "expected"),
    [
        ("", True, False),
        ("false", True, False),
        ("0", True, False),
        ("true", True, True),
        ("1", True, True),
        ("", False, True),
    ],
)
def test_demo_runs_the_check_in_ci_or_without_a_terminal(
    ci: str, is_terminal: bool, expected: bool
) -> None:
    assert unattended({"CI": ci}, is_terminal=is_terminal) is expected


def test_the_printed_curl_command_pastes_into_a_shell_as_is() -> None:
    record = {"mean radius": 14.1, "name": "it's"}
    command = shlex.split(
        curl_command("http://127.0.0.1:8000", "tumor-classifier", "t.o.k", record)
    )
    assert command[:3] == ["curl", "-s", "http://127.0.0.1:8000/v1/models/tumor-classifier/predict"]
    assert command[command.index("-H") + 1] == "Authorization: Bearer t.o.k"
    assert json.loads(command[command.index("-d") + 1]) == {"records": [record]}


def project_env(tmp_path: Path) -> dict[str, str]:
    """A fresh project's settings in tmp_path (no .env), as `make demo` sees them."""
    seed_store(tmp_path / "var")
    env = {key: value for key, value in os.environ.items() if key not in {"CI"}}
    return env | {
        "ENVIRONMENT": "dev",
        "DATA_DIR": str(tmp_path / "var"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'var' / 'mlflow.db'}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'app.db'}",
    }


def our_processes(tmp_path: Path) -> list[str]:
    """Command lines of live processes started for this test (they name its tmp_path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if str(tmp_path).encode() in environ or str(tmp_path) in command:
            found.append(command)
    return found


@pytest.mark.integration
def test_demo_without_a_terminal_trains_serves_predicts_and_stops_everything(
    tmp_path: Path,
) -> None:
    command = [sys.executable, "-m", "{{ cookiecutter.package_name }}", "dev", "demo"]
    result = subprocess.run(
        command,
        cwd=tmp_path,
        env=project_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "No terminal or CI=true" in result.stdout
    assert "signed in as alice" in result.stdout
    assert "prediction(s) logged in the app database" in result.stdout
    assert "Smoke check passed" in result.stdout
    assert our_processes(tmp_path) == []


@pytest.mark.integration
def test_ctrl_c_stops_every_process_of_the_running_stack(tmp_path: Path) -> None:
    # The interactive `dev` on free ports: the same code as `make dev`, minus the fixed ports.
    script = (
        "import {{ cookiecutter.package_name }}.devstack as d\n"
        "d.DEFAULT_PORTS = {name: d.free_port() for name in d.DEFAULT_PORTS}\n"
        "d.app(['--no-dashboard'])\n"
    )
    env = project_env(tmp_path) | {"PYTHONUNBUFFERED": "1"}
    log = tmp_path / "dev.log"
    with log.open("w") as output:
        dev = subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 600
        while "The system is running" not in log.read_text() and dev.poll() is None:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        assert dev.poll() is None, log.read_text()
        assert len(our_processes(tmp_path)) >= 4  # dev, provider, MLflow UI (and workers), API
        dev.send_signal(signal.SIGINT)
        dev.wait(timeout=60)
    assert "Stopped every process." in log.read_text()
    assert "curl -s http://127.0.0.1:" in log.read_text()
    assert our_processes(tmp_path) == []
