"""Rules every answer must meet before a project is generated."""

from __future__ import annotations

import keyword
import re
import sys
from collections.abc import Mapping
from typing import Any

from slugify import slugify

SUPPORTED_PYTHON = ("3.11", "3.12", "3.13")
# PEP 508 distribution name, restricted to the normalised form (lowercase, dashes).
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
PACKAGE_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The generated code keeps its 100-column lines with names up to these lengths.
MAX_NAME_LENGTH = 32
MAX_TITLE_LENGTH = 60


class InvalidAnswers(ValueError):
    """One or more answers break a rule; the message lists each of them."""


def derive_slug(project_name: str) -> str:
    """The distribution name a project name gives: transliterated to ASCII, lowercase, dashes."""
    return str(slugify(project_name))


def derive_package_name(project_slug: str) -> str:
    return project_slug.replace("-", "_")


def _problem(option: str, value: Any, rule: str) -> str:
    return f"{option}={value!r}: {rule}"


def check_project_name(value: str) -> str | None:
    if not value.strip():
        return "must not be empty; give the project a human-readable name, e.g. 'Churn Predictor'"
    if len(value) > MAX_TITLE_LENGTH:
        return f"is {len(value)} characters long; keep it to {MAX_TITLE_LENGTH} (it titles pages)"
    if '"' in value or "\\" in value:
        return "must not hold double quotes or backslashes (it is written into Python strings)"
    return None


def _too_long(option: str, value: str, example: str) -> str | None:
    if len(value) > MAX_NAME_LENGTH:
        return (
            f"is {len(value)} characters long, over the limit of {MAX_NAME_LENGTH}; "
            f"pass a shorter one, e.g. {option}={example}"
        )
    return None


def check_project_slug(value: str) -> str | None:
    if not value:
        return (
            "is empty: the project name has no letter or digit to derive it from; "
            "pass project_slug, e.g. project_slug=churn-predictor"
        )
    if not SLUG_RE.match(value) or "--" in value:
        return (
            "must be a normalised distribution name: lowercase letters, digits and single dashes, "
            "starting and ending with a letter or digit, e.g. 'churn-predictor'"
        )
    return _too_long("project_slug", value, "churn-predictor")


def check_package_name(value: str) -> str | None:
    if not value:
        return "is empty: pass project_slug (it gives the package name) or package_name"
    if not PACKAGE_RE.match(value):
        return (
            "must be a lowercase Python identifier (letters, digits, underscores, not starting "
            "with a digit), e.g. 'churn_predictor'"
        )
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return "is a Python keyword; choose another name, e.g. add a prefix"
    if value in sys.stdlib_module_names:
        return "shadows a standard-library module; choose another name, e.g. add a prefix"
    return _too_long("package_name", value, "churn_predictor")


def check_author_email(value: str) -> str | None:
    if not EMAIL_RE.match(value):
        return "must be an email address like 'team@example.com'"
    return None


def check_python_version(value: str) -> str | None:
    if value not in SUPPORTED_PYTHON:
        return f"must be one of {', '.join(SUPPORTED_PYTHON)}"
    return None


CHECKS = {
    "project_name": check_project_name,
    "project_slug": check_project_slug,
    "package_name": check_package_name,
    "author_email": check_author_email,
    "python_version": check_python_version,
}


def problem(value: Any, option: str) -> str:
    """The rule one answer breaks, or "" when it meets every rule (copier's validator contract)."""
    return CHECKS[option](str(value)) or ""


def problems(answers: Mapping[str, Any], choices: Mapping[str, list[str]]) -> list[str]:
    """Every rule the answers break, one readable line each; empty when all is well."""
    found = []
    for option, check in CHECKS.items():
        rule = check(str(answers.get(option, "")))
        if rule:
            found.append(_problem(option, answers.get(option), rule))
    for option, allowed in choices.items():
        if option in CHECKS or option not in answers:
            continue
        if answers[option] not in allowed:
            found.append(_problem(option, answers[option], f"must be one of {', '.join(allowed)}"))
    return found


def validate(answers: Mapping[str, Any], choices: Mapping[str, list[str]]) -> None:
    """Raise InvalidAnswers naming every broken rule."""
    found = problems(answers, choices)
    if found:
        lines = "\n".join(f"  - {line}" for line in found)
        raise InvalidAnswers(f"Invalid answers; nothing was generated:\n{lines}")
