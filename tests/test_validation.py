"""Bad answers, through each engine's own command line: one clear message, exit 1, nothing on disk."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pexpect
import pytest

from tests.baking import BIN_DIR, ENGINES, TEMPLATE_DIR, Engine, default_answers, run_engine

BAD_ANSWERS = {
    "slug-not-a-distribution-name": ("project_slug", "My Project!", "normalised distribution name"),
    "package-not-an-identifier": ("package_name", "my-package", "Python identifier"),
    "package-is-a-keyword": ("package_name", "import", "keyword"),
    "package-shadows-stdlib": ("package_name", "logging", "standard-library module"),
    "slug-too-long": ("project_slug", "fraud-detection-for-card-payments", "over the limit of 32"),
    "package-too-long": ("package_name", "fraud_detection_for_card_payments", "over the limit of 32"),
    "empty-project-name": ("project_name", " ", "must not be empty"),
    "project-name-too-long": ("project_name", "A" * 61, "keep it to 60"),
    "project-name-with-quotes": ("project_name", 'The "Best" Model', "double quotes"),
    "malformed-email": ("author_email", "team.example.com", "email address"),
}
# Both engines check choices themselves, before rendering, in their own words.
BAD_CHOICE = ("python_version", "3.9")


def generate(engine: Engine, answers: dict[str, str], out: Path) -> tuple[int, str, Path]:
    """Run the engine as a user would (copier not quiet); return its exit code, its output and
    the folder the project would be in."""
    target = out / "project"
    result = run_engine(engine, answers, out if engine == "cookiecutter" else target, quiet=False)
    return result.returncode, result.stdout + result.stderr, target


def assert_reported_cleanly(output: str) -> None:
    """One message: no traceback, and copier stopped before rendering (no `create` lines)."""
    assert "Traceback" not in output
    assert "Exception" not in output
    assert not re.search(r"^\s*create\s", output, flags=re.M), output


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", list(BAD_ANSWERS))
def test_bad_answer_fails_cleanly(engine: Engine, case: str, tmp_path: Path) -> None:
    option, value, rule = BAD_ANSWERS[case]
    answers = {**default_answers(), "project_slug": "project", "package_name": "project", option: value}
    code, output, _ = generate(engine, answers, tmp_path / "out")
    assert code != 0
    assert f"{option}={value!r}" in output
    assert rule in output
    assert_reported_cleanly(output)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir()), (
        "a failed generation left files"
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_name_without_letters_asks_for_a_slug(engine: Engine, tmp_path: Path) -> None:
    code, output, _ = generate(engine, {"project_name": "!!! ???"}, tmp_path / "out")
    assert code != 0
    assert "project_slug=''" in output
    assert "pass project_slug" in output
    assert_reported_cleanly(output)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("engine", ENGINES)
def test_unsupported_choice_fails_before_rendering(engine: Engine, tmp_path: Path) -> None:
    option, value = BAD_CHOICE
    code, output, _ = generate(engine, {**default_answers(), option: value}, tmp_path / "out")
    assert code != 0
    assert option in output
    assert value in output
    assert "3.11" in output
    assert not (tmp_path / "out").exists()


def test_cookiecutter_refuses_an_existing_destination(tmp_path: Path) -> None:
    existing = tmp_path / "my-ai-solution"
    existing.mkdir()
    (existing / "README.md").write_text("my own notes\n")
    code, output, _ = generate("cookiecutter", default_answers(), tmp_path)
    assert code != 0
    assert "already exists" in output
    assert (existing / "README.md").read_text() == "my own notes\n"
    assert [p.name for p in existing.iterdir()] == ["README.md"]


def test_copier_never_overwrites_an_existing_file_without_asking(tmp_path: Path) -> None:
    existing = tmp_path / "project"
    existing.mkdir()
    (existing / "README.md").write_text("my own notes\n")
    code, output, _ = generate("copier", default_answers(), tmp_path)
    assert code != 0
    assert "--overwrite" in output
    assert (existing / "README.md").read_text() == "my own notes\n"


def interactive_copier(target: Path) -> tuple[pexpect.spawn[str], io.StringIO]:
    """copier in a terminal, as a user runs it without `--defaults`."""
    child = pexpect.spawn(
        str(BIN_DIR / "copier"),
        ["copy", "--trust", "--quiet", str(TEMPLATE_DIR), str(target)],
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 200),
    )
    child.logfile_read = log = io.StringIO()
    return child, log


def answer(child: pexpect.spawn[str], prompt: str, text: str | None = None) -> None:
    """Wait for a question; keep its default (None) or replace it with `text`."""
    child.expect_exact(prompt)
    if text is not None:
        child.send("\x15")  # Ctrl-U clears the prefilled default
    child.sendline(text or "")


def test_interactive_copier_asks_a_bad_answer_again(tmp_path: Path) -> None:
    child, log = interactive_copier(tmp_path / "project")
    for prompt in ("Project name", "Distribution and folder name", "Python import name"):
        answer(child, prompt)
    answer(child, "One-line description")
    answer(child, "Author or team name")
    answer(child, "Author or team email", "team.example.com")
    child.expect_exact("must be an email address like")
    child.send("\x15")
    child.sendline("team@example.com")
    child.expect_exact("Python version the project runs on")  # accepted: the next question
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    assert "Traceback" not in log.getvalue()
    assert not (tmp_path / "project").exists()


def test_interactive_copier_with_a_name_without_letters_asks_for_a_slug(tmp_path: Path) -> None:
    child, log = interactive_copier(tmp_path / "project")
    answer(child, "Project name", "!!!")
    answer(child, "Distribution and folder name", "Bad Slug")
    child.expect_exact("normalised distribution name")
    child.send("\x15")
    child.sendline("bang-tool")
    child.expect_exact("Python import name")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    assert "Traceback" not in log.getvalue()
    assert not (tmp_path / "project").exists()
