"""`make demo` needs only Python 3.11+, git and make: from a fresh clone, without Go, apt or root tools."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.fresh_clone import fresh_clone, newcomer_env

pytestmark = pytest.mark.install


def test_demo_runs_from_a_fresh_clone_without_go_or_apt(tmp_path: Path) -> None:
    template = fresh_clone(tmp_path / "cookiecutter-ai-solution")
    env, forbidden_calls = newcomer_env(tmp_path, package_cache=None)
    result = subprocess.run(
        ["make", "demo"], cwd=template, env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    assert not forbidden_calls.exists(), forbidden_calls.read_text()
    # Under CI=true the project's demo trains, then runs the end-to-end smoke and exits.
    assert "signed in as alice at the identity provider" in output
    assert "predicted with tumor-classifier" in output
    assert "prediction(s) logged in the app database" in output
    assert "Smoke check passed" in output
    project = template / "build" / "demo" / "my-ai-solution"
    assert (project / ".venv").is_dir()
    assert (project / "poetry.lock").read_text() == (
        template / "locks" / "python3.11-dashboard-streamlit.lock"
    ).read_text()
    assert not (
        env["XDG_CACHE_HOME"] and list(Path(env["XDG_CACHE_HOME"]).glob("cookiecutter-ai-solution/*"))
    )
    # Install output stays short: no per-file lines from packages that ship the same files.
    assert "over existing file" not in output
    assert len(output.splitlines()) < 400, f"{len(output.splitlines())} lines of output"
    # The demo project is a working project: its own suite passes as the README runs it.
    suite = subprocess.run(
        ["make", "-C", str(project), "test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert suite.returncode == 0, (suite.stdout + suite.stderr)[-8000:]
    assert " passed" in suite.stdout
