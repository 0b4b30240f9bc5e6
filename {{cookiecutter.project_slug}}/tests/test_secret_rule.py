"""The one secret rule, and its command line (what Compose's check service runs)."""

from __future__ import annotations

import secrets

import pytest

from {{ cookiecutter.package_name }}.secret_rule import MIN_SECRET_LENGTH, main, secret_problem


def test_a_generated_secret_passes() -> None:
    # The same call scripts/write_env.py makes for `make env`.
    for _ in range(200):
        assert secret_problem(secrets.token_urlsafe(32)) is None


@pytest.mark.parametrize(
    "value",
    ["change-me", "CHANGE-ME", "Change-Me", "changeme", "CHANGE_ME", "change me", "ci-only-x"],
)
def test_placeholders_are_refused_in_any_case_or_spelling(value: str) -> None:
    assert secret_problem(value + "x" * MIN_SECRET_LENGTH) == "is still a placeholder"


@pytest.mark.parametrize("value", ["", "   ", None])
def test_empty_is_refused(value: str | None) -> None:
    assert secret_problem(value) == "is empty"


@pytest.mark.parametrize("value", ["password", "Admin", "minioadmin", "123456"])
def test_well_known_weak_values_are_refused(value: str) -> None:
    assert secret_problem(value) == "is a well-known weak value"


def test_short_and_repetitive_values_are_refused() -> None:
    assert secret_problem("Xy7#" * 4) == f"is 16 characters; use at least {MIN_SECRET_LENGTH}"
    assert secret_problem("ab" * 30) == "repeats too few characters to be random"


def test_command_line_names_each_refused_variable_without_its_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GOOD", secrets.token_urlsafe(32))
    monkeypatch.setenv("BAD", "Change-Me-Please-0123456789abcdefghij")
    assert main(["GOOD"]) == 0
    assert main(["GOOD", "BAD", "MISSING"]) == 1
    out = capsys.readouterr().out
    assert "BAD is still a placeholder" in out
    assert "MISSING is empty" in out
    assert "Change-Me-Please" not in out
