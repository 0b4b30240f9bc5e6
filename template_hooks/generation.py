"""The two generation steps, called by both engines: check the answers, then finish the project."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from template_hooks import answers as answer_rules
from template_hooks import manifest as option_manifest


def check_answers(answers: Mapping[str, Any]) -> None:
    answer_rules.validate(answers, option_manifest.choices(option_manifest.load()))


def load_project_script(project_dir: Path, name: str) -> ModuleType:
    """Import one of the generated project's own stdlib-only scripts."""
    spec = importlib.util.spec_from_file_location(name, project_dir / "scripts" / f"{name}.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def finish_project(project_dir: Path, answers: Mapping[str, Any]) -> None:
    """Prune the files of options not chosen; write `.env` with the project's own secret writer.

    Idempotent, because `copier update` runs it again: an existing `.env` keeps its secrets.
    """
    option_manifest.prune(project_dir, option_manifest.load(), answers)
    if not (project_dir / ".env").exists():
        load_project_script(project_dir, "write_env").write_env(project_dir)


def exit_on_invalid(step: Callable[..., None], *args: Any) -> None:
    """Run a step; on invalid answers print the one message and exit 1, without a traceback."""
    try:
        step(*args)
    except answer_rules.InvalidAnswers as error:
        print(f"ERROR: {error}", file=sys.stderr)
        raise SystemExit(1) from None
