"""copier.yml and cookiecutter.json ask the same questions, with the same defaults and choices."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from template_hooks import answers, manifest
from tests.baking import TEMPLATE_DIR

COOKIECUTTER = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
COPIER = yaml.safe_load((TEMPLATE_DIR / "copier.yml").read_text(encoding="utf-8"))
QUESTIONS = [key for key in COOKIECUTTER if not key.startswith("_")]
COPIER_QUESTIONS = [
    key for key, value in COPIER.items() if not key.startswith("_") and value.get("when") is not False
]


def normalise(default: str) -> str:
    """cookiecutter spells a variable `cookiecutter.x`, copier `x`; spacing is free."""
    return re.sub(r"\s+", "", default.replace("cookiecutter.", ""))


def cookiecutter_question(name: str) -> dict[str, Any]:
    value = COOKIECUTTER[name]
    if isinstance(value, list):
        return {"default": value[0], "choices": value}
    return {"default": value, "choices": None}


def test_same_questions_in_the_same_order() -> None:
    assert COPIER_QUESTIONS == QUESTIONS


@pytest.mark.parametrize("name", QUESTIONS)
def test_same_default_choices_and_help(name: str) -> None:
    ours, theirs = cookiecutter_question(name), COPIER[name]
    assert normalise(str(theirs["default"])) == normalise(str(ours["default"]))
    assert theirs.get("choices") == ours["choices"]
    assert theirs["help"] == COOKIECUTTER["__prompts__"][name]


def test_copier_passes_every_answer_to_the_templates() -> None:
    mapping = yaml.safe_load(
        re.sub(r"\{\{\s*(\w+)\s*\|\s*tojson\s*\}\}", r"'\1'", COPIER["cookiecutter"]["default"])
    )
    assert mapping == {name: name for name in QUESTIONS}


def test_manifest_covers_exactly_the_choice_options() -> None:
    choice_options = {n: v for n, v in COOKIECUTTER.items() if isinstance(v, list) and not n.startswith("_")}
    assert manifest.choices(manifest.load()) == choice_options


def test_copier_validators_are_the_answer_rules() -> None:
    """One source of rules: each rule of answers.py backs a copier validator, and nothing else does."""
    validators = {
        name: q["validator"] for name, q in COPIER.items() if isinstance(q, dict) and "validator" in q
    }
    assert validators == {name: f"{{{{ {name} | answer_problem('{name}') }}}}" for name in answers.CHECKS}


def test_both_engines_check_every_answer_before_rendering() -> None:
    assert COOKIECUTTER["__answers_checked"] == "{{ cookiecutter | checked_answers }}"
    assert COPIER["answers_checked"] == {
        "type": "str",
        "when": False,
        "default": "{{ cookiecutter | checked_answers }}",
    }


def test_template_and_generated_project_pin_the_same_poetry() -> None:
    """`make demo` hands the template's Poetry to the project instead of bootstrapping another."""
    pins = [
        re.search(r"^POETRY_VERSION := (\S+)$", path.read_text(encoding="utf-8"), flags=re.M)
        for path in (TEMPLATE_DIR / "Makefile", TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "Makefile")
    ]
    assert all(pins)
    assert len({pin.group(1) for pin in pins if pin}) == 1
