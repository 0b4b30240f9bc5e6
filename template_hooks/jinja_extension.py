"""Jinja filters and globals that both engines load (cookiecutter by dotted path, copier by file path).

- `template_dir`: the template's absolute path. Cookiecutter runs hooks from a temporary copy
  inside the new project, and its `_repo_dir` may be relative, so the hooks need it to import
  `template_hooks`.
- `to_slug`, `to_package_name`: the names derived from the project name, the same in both engines.
- `shipped_lock`: the generated project's `poetry.lock` for its Python version and dashboard.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment
from jinja2.ext import Extension

from template_hooks import answers, locks

# Resolved at import time, while the working directory is still the caller's.
TEMPLATE_DIR = str(Path(__file__).resolve().parents[1])


class TemplateExtension(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["template_dir"] = TEMPLATE_DIR
        environment.globals["shipped_lock"] = locks.shipped_lock
        environment.filters["to_slug"] = answers.derive_slug
        environment.filters["to_package_name"] = answers.derive_package_name
