"""The option manifest: which generated files each option value owns."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
MANIFEST_PATH = TEMPLATE_DIR / "manifest.yml"

Manifest = dict[str, dict[str, list[str]]]


def load(path: Path = MANIFEST_PATH) -> Manifest:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {option: {str(v): list(globs) for v, globs in values.items()} for option, values in data.items()}


def choices(manifest: Manifest) -> dict[str, list[str]]:
    """The values each option may take, in manifest order."""
    return {option: list(values) for option, values in manifest.items()}


def owned_globs(manifest: Manifest, option: str, value: str, package: str) -> list[str]:
    return [glob.replace("{package}", package) for glob in manifest[option][value]]


def disabled_globs(manifest: Manifest, answers: Mapping[str, Any]) -> list[str]:
    """Globs of every option value that was not chosen."""
    package = str(answers["package_name"])
    return [
        glob
        for option, values in manifest.items()
        for value in values
        if value != str(answers[option])
        for glob in owned_globs(manifest, option, value, package)
    ]


def prune(project_dir: Path, manifest: Manifest, answers: Mapping[str, Any]) -> list[Path]:
    """Remove the files and folders owned by options values that were not chosen."""
    removed = []
    for glob in disabled_globs(manifest, answers):
        for path in sorted(project_dir.glob(glob)):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    return removed
