"""copier's post-copy task: the same checks and finishing steps as cookiecutter's hooks.

Usage (from copier.yml): python copier_task.py '<answers as JSON>'; runs in the new project.
A non-zero exit makes copier remove the project it just created.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from template_hooks.generation import check_answers, exit_on_invalid, finish_project


def main(argv: list[str]) -> None:
    answers = json.loads(argv[1])
    exit_on_invalid(check_answers, answers)
    finish_project(Path.cwd(), answers)


if __name__ == "__main__":
    main(sys.argv)
