"""Imports flow downward and never in a circle: the import-linter contracts in pyproject.toml."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import {{ cookiecutter.package_name }}

PROJECT = Path(__file__).resolve().parents[1]
PACKAGE = Path({{ cookiecutter.package_name }}.__file__).parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(source_root: Path) -> subprocess.CompletedProcess[str]:
    # A separate process analyses exactly the package found first on its PYTHONPATH.
    return subprocess.run(
        [str(LINT_IMPORTS), str(PROJECT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(source_root)},
        timeout=120,
    )


def package_copy(tmp_path: Path, module: str, extra_import: str) -> Path:
    """A copy of the package in which `module` (a file path inside it) gains one import."""
    shutil.copytree(PACKAGE, tmp_path / PACKAGE.name, ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / PACKAGE.name / module
    target.write_text(target.read_text() + f"\n{extra_import}\n")
    return tmp_path


def test_the_package_keeps_its_layers_and_has_no_import_circle() -> None:
    result = lint_imports(PACKAGE.parent)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    # Settings importing the command line: the circle this layering forbids.
    root = package_copy(tmp_path, "config.py", f"import {PACKAGE.name}.cli")

    result = lint_imports(root)

    assert result.returncode == 1
    assert "Layers: config -> db/registry/models/auth -> pipeline/api -> dashboard/cli BROKEN" in (
        result.stdout
    )
    assert f"{PACKAGE.name}.config -> {PACKAGE.name}.cli" in result.stdout


def test_an_import_circle_inside_a_package_breaks_the_contracts(tmp_path: Path) -> None:
    # The alias names importing the reader, which imports the alias names.
    root = package_copy(tmp_path, "registry/names.py", f"import {PACKAGE.name}.registry.reader")

    result = lint_imports(root)

    assert result.returncode == 1
    assert "No import cycle between the modules of any package BROKEN" in result.stdout
