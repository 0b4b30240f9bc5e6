"""Render the template with either engine, the way a user would from the command line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from template_hooks.answers import derive_slug

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
BIN_DIR = Path(sys.executable).parent
Engine = Literal["cookiecutter", "copier"]
ENGINES: tuple[Engine, ...] = ("cookiecutter", "copier")


def default_answers() -> dict[str, str]:
    """cookiecutter.json's defaults: the first choice of a list, the literal otherwise."""
    data = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
    return {
        key: value[0] if isinstance(value, list) else value
        for key, value in data.items()
        if not key.startswith("_") and not (isinstance(value, str) and "{{" in value)
    }


def _command(
    engine: Engine, answers: Mapping[str, str], out: Path, template: Path, *, quiet: bool = True
) -> list[str]:
    if engine == "cookiecutter":
        pairs = [f"{key}={value}" for key, value in answers.items()]
        return [str(BIN_DIR / "cookiecutter"), "--no-input", str(template), "-o", str(out), *pairs]
    data = [arg for key, value in answers.items() for arg in ("--data", f"{key}={value}")]
    return [
        str(BIN_DIR / "copier"),
        "copy",
        "--trust",
        "--defaults",
        *(["--quiet"] if quiet else []),
        *data,
        str(template),
        str(out),
    ]


def run_engine(
    engine: Engine,
    answers: Mapping[str, str],
    out: Path,
    template: Path = TEMPLATE_DIR,
    *,
    quiet: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run one engine's CLI; for copier `out` is the project folder, for cookiecutter its parent."""
    return subprocess.run(
        _command(engine, answers, out, template, quiet=quiet), capture_output=True, text=True, check=False
    )


def bake(engine: Engine, answers: Mapping[str, str], workdir: Path, template: Path = TEMPLATE_DIR) -> Path:
    """Generate a project and return its folder; raise with the engine's output on failure."""
    slug = answers.get("project_slug") or default_slug(answers)
    out = workdir / engine
    target = out if engine == "cookiecutter" else out / slug
    if (out / slug).exists():
        shutil.rmtree(out / slug)
    result = run_engine(engine, answers, target, template)
    if result.returncode != 0:
        raise RuntimeError(f"{engine} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return out / slug


def default_slug(answers: Mapping[str, str]) -> str:
    name = answers.get("project_name", default_answers()["project_name"])
    return derive_slug(name)


def env_file(project: Path) -> dict[str, str]:
    """A generated project's .env as data (it is never sourced)."""
    values = {}
    for line in (project / ".env").read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.startswith("#"):
            values[key.strip()] = value.strip()
    return values
