"""cookiecutter's extension: the shared filters, plus the answer check it reports without a traceback.

cookiecutter logs a traceback for any failing hook, but its command line prints a
`FailedHookException` raised while it renders the answers as one plain message. The
`__answers_checked` entry of cookiecutter.json renders last, through `checked_answers`,
so bad answers stop the run before any file or folder is created.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cookiecutter.exceptions import FailedHookException
from jinja2 import Environment

from template_hooks.answers import InvalidAnswers
from template_hooks.generation import check_answers
from template_hooks.jinja_extension import TemplateExtension


class InvalidAnswersError(FailedHookException):  # type: ignore[misc]  # cookiecutter ships no types
    """Bad answers, in the one form cookiecutter's command line prints as a message."""


def checked_answers(answers: Mapping[str, Any]) -> str:
    try:
        check_answers(answers)
    except InvalidAnswers as error:
        raise InvalidAnswersError(f"ERROR: {error}") from None
    return "yes"


class CookiecutterExtension(TemplateExtension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["checked_answers"] = checked_answers
