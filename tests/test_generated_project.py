"""Generated projects work on first run: install, their own tests, pre-commit, strict mypy.

Slow (installs real dependencies and starts services), so `make test` runs them on their own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.baking import default_answers
from tests.matrix import MATRIX, bake_id

pytestmark = pytest.mark.install

INSTALLED = {
    "defaults": default_answers(),
    "py3.12-apache-no-dashboard-external-oidc": {
        **default_answers(),
        "python_version": "3.12",
        "license": "Apache-2.0",
        "dashboard": "none",
        "auth_provider": "external-oidc",
        "object_storage": "local",
        "deployment": "compose",
        "ci_provider": "gitlab",
    },
    "py3.13-proprietary-no-ci": {
        **default_answers(),
        "python_version": "3.13",
        "license": "Proprietary",
        "ci_provider": "none",
        "object_storage": "local",
    },
}


def run(command: list[str], cwd: Path, timeout: int = 1200) -> subprocess.CompletedProcess[str]:
    """Run a command in a generated project as a user would, never inside the template's venv."""
    env = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env |= {"POETRY_VIRTUALENVS_IN_PROJECT": "true", "POETRY_NO_INTERACTION": "1", "CI": "true"}
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, (
        f"{' '.join(command)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
    )
    return result


def poetry() -> str:
    found = shutil.which("poetry")
    assert found, "Poetry is not on PATH; run the tests through `make test`, which bootstraps it"
    return found


_installed: dict[str, Path] = {}


@pytest.fixture(scope="session")
def installed(baked: Callable[..., Path]) -> Callable[[str], Path]:
    """`installed(name)`: a generated project, git-initialised and `poetry install`ed once."""

    def _installed_project(name: str) -> Path:
        if name not in _installed:
            project = baked("cookiecutter", INSTALLED[name], f"install-{name}")
            run(["git", "init", "--quiet"], project)
            run(["make", "install"], project)  # as a user does: also the Makefile is tested
            run(["git", "add", "--all"], project)
            _installed[name] = project
        return _installed[name]

    return _installed_project


def quick_start_commands(readme: Path) -> list[str]:
    """The commands of the README's quick-start code block, comments dropped."""
    section = readme.read_text(encoding="utf-8").split("## Quick start", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line.split(" #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def without_poetry(path: str) -> str:
    """PATH without any folder that holds a `poetry` (the template's .tools/bin included)."""
    return os.pathsep.join(d for d in path.split(os.pathsep) if d and not (Path(d) / "poetry").exists())


def test_readme_quick_start_works_as_written_where_poetry_is_not_installed(
    baked: Callable[..., Path],
) -> None:
    project = baked("cookiecutter", default_answers(), "quick-start")
    commands = quick_start_commands(project / "README.md")
    assert "make demo" in commands, commands
    env = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env |= {"CI": "true", "PATH": without_poetry(env["PATH"])}
    assert shutil.which("poetry", path=env["PATH"]) is None
    output = ""
    for command in commands:
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        output = result.stdout
        assert result.returncode == 0, f"{command} failed:\n{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
    # `make demo` under CI=true: the end-to-end check, which signed in and predicted.
    assert "signed in as alice" in output
    assert "Smoke check passed" in output


@pytest.mark.parametrize("name", list(INSTALLED))
def test_generated_test_suite_passes(installed: Callable[[str], Path], name: str) -> None:
    result = run([poetry(), "run", "pytest", "-q", "-p", "no:cacheprovider"], installed(name))
    assert " passed" in result.stdout.splitlines()[-1]
    assert "failed" not in result.stdout.splitlines()[-1]


@pytest.mark.parametrize("name", list(INSTALLED))
def test_pre_commit_passes_on_all_files(installed: Callable[[str], Path], name: str) -> None:
    project = installed(name)
    result = run([poetry(), "run", "pre-commit", "run", "--all-files", "--show-diff-on-failure"], project)
    assert "Passed" in result.stdout
    assert "Failed" not in result.stdout


@pytest.mark.parametrize("name", list(INSTALLED))
def test_console_script_is_installed(installed: Callable[[str], Path], name: str) -> None:
    result = run([poetry(), "run", "my-ai-solution", "version"], installed(name))
    assert result.stdout.strip() == "my-ai-solution 0.1.0"


@pytest.mark.parametrize("combo", MATRIX, ids=[bake_id(answers) for answers in MATRIX])
def test_mypy_strict_passes(
    installed: Callable[[str], Path], baked: Callable[..., Path], combo: dict[str, str]
) -> None:
    """Every bake type-checks against the default project's installed dependencies."""
    mypy = installed("defaults") / ".venv" / "bin" / "mypy"
    project = baked("cookiecutter", combo, bake_id(combo))
    run([str(mypy), "--cache-dir", str(project.parent.parent / ".mypy_cache")], project)
