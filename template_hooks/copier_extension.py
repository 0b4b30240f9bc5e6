"""copier's extension: the shared filters, plus the answer rules of `answers.py` in copier's terms.

- `answer_problem` backs the `validator:` entries: in an interactive session copier shows the
  rule and asks again. An answer from `--data` or `--defaults` is not asked, and copier turns a
  failing validator into a traceback there, so those (and empty answers) are left to
  `checked_answers`.
- `checked_answers` renders `answers_checked`, computed from the `cookiecutter` mapping after every
  question and before any file: it raises the one message copier's command line prints as it is.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from copier.errors import UserMessageError
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

# copier loads this file by path, outside any package, from each template copy it makes
# (`copier update` renders two, then deletes them): import the rules beside this very file.
TEMPLATE_DIR = str(Path(__file__).resolve().parents[1])
for _name in [name for name in sys.modules if name.split(".")[0] == "template_hooks"]:
    if not str(getattr(sys.modules[_name], "__file__", "")).startswith(TEMPLATE_DIR):
        del sys.modules[_name]
sys.path.insert(0, TEMPLATE_DIR)

from template_hooks import answers  # noqa: E402
from template_hooks.generation import check_answers  # noqa: E402
from template_hooks.jinja_extension import TemplateExtension  # noqa: E402


def _asked(context: Context, option: str) -> bool:
    conf: Mapping[str, Any] = context["_copier_conf"]
    return not conf["defaults"] and option not in conf["data"]


@pass_context
def answer_problem(context: Context, value: Any, option: str) -> str:
    # copier also validates the prefilled default, outside its re-ask loop: an empty derived
    # name (a project name without letters) would be a traceback there, so it is left too.
    if not _asked(context, option) or value == "":
        return ""
    return answers.problem(value, option)


def checked_answers(answers_given: Mapping[str, Any]) -> str:
    try:
        check_answers(answers_given)
    except answers.InvalidAnswers as error:
        raise UserMessageError(f"ERROR: {error}") from None
    return "yes"


class CopierExtension(TemplateExtension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["answer_problem"] = answer_problem
        environment.filters["checked_answers"] = checked_answers
