"""Gives cookiecutter's hook templates the template's absolute path (`template_dir`).

Cookiecutter runs hooks from a temporary copy inside the new project, and its
`_repo_dir` may be relative, so the hooks need this to import `template_hooks`.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment
from jinja2.ext import Extension

# Resolved at import time, while the working directory is still the caller's.
TEMPLATE_DIR = str(Path(__file__).resolve().parents[1])


class TemplateDirExtension(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["template_dir"] = TEMPLATE_DIR
