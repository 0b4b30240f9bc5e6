"""The option reference and README's option table are generated from the manifest and current."""

from __future__ import annotations

import subprocess
import sys

from tests.baking import TEMPLATE_DIR


def test_option_docs_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/render_docs.py", "--check"],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_readme_names_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (TEMPLATE_DIR / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme
    assert "make test" in readme
    assert "make test" in (TEMPLATE_DIR / ".ci" / "run").read_text(encoding="utf-8")
