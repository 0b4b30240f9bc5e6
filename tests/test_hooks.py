"""The generation hooks' functions, imported and tested directly."""

from __future__ import annotations

import stat
from pathlib import Path

import jinja2
import pytest
import yaml
from cookiecutter.exceptions import FailedHookException
from copier.errors import UserMessageError

from template_hooks import answers, manifest
from template_hooks.cookiecutter_extension import checked_answers as cookiecutter_checked_answers
from template_hooks.copier_extension import CopierExtension
from template_hooks.copier_extension import checked_answers as copier_checked_answers
from template_hooks.generation import check_answers, exit_on_invalid, finish_project
from template_hooks.jinja_extension import TEMPLATE_DIR as EXTENSION_TEMPLATE_DIR
from tests.baking import TEMPLATE_DIR, default_answers

PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
COPIER = yaml.safe_load((TEMPLATE_DIR / "copier.yml").read_text(encoding="utf-8"))


def valid_answers(**changes: str) -> dict[str, str]:
    return {
        **default_answers(),
        "project_slug": "my-ai-solution",
        "package_name": "my_ai_solution",
        **changes,
    }


@pytest.mark.parametrize(
    ("option", "value", "rule"),
    [
        ("project_name", "   ", "must not be empty"),
        ("project_slug", "My Project", "normalised distribution name"),
        ("project_slug", "-leading-dash", "normalised distribution name"),
        ("project_slug", "double--dash", "normalised distribution name"),
        ("package_name", "my-package", "Python identifier"),
        ("package_name", "1st_package", "Python identifier"),
        ("package_name", "class", "keyword"),
        ("package_name", "match", "keyword"),
        ("package_name", "json", "standard-library module"),
        ("author_email", "not-an-email", "email address"),
        ("author_email", "a@b", "email address"),
        ("python_version", "3.10", "must be one of 3.11, 3.12, 3.13"),
        ("dashboard", "grafana", "must be one of streamlit, none"),
    ],
)
def test_each_broken_rule_names_option_value_and_rule(option: str, value: str, rule: str) -> None:
    with pytest.raises(answers.InvalidAnswers) as caught:
        check_answers(valid_answers(**{option: value}))
    assert f"{option}={value!r}" in str(caught.value)
    assert rule in str(caught.value)


def test_valid_answers_pass() -> None:
    check_answers(valid_answers())


def test_every_broken_rule_is_reported_at_once() -> None:
    found = answers.problems(valid_answers(package_name="os", author_email="x"), {})
    assert [line.split("=")[0] for line in found] == ["package_name", "author_email"]


def test_exit_on_invalid_prints_one_message_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        exit_on_invalid(check_answers, valid_answers(package_name="json"))
    assert caught.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("ERROR: Invalid answers; nothing was generated")
    assert "Traceback" not in err


def test_disabled_globs_are_those_of_values_not_chosen() -> None:
    data = {
        "dashboard": {"streamlit": ["src/{package}/dashboard"], "none": []},
        "ci": {"a": ["a.yml"], "b": ["b.yml"]},
    }
    globs = manifest.disabled_globs(data, {"package_name": "pkg", "dashboard": "none", "ci": "a"})
    assert globs == ["src/pkg/dashboard", "b.yml"]


def test_prune_removes_files_and_folders_of_disabled_values(tmp_path: Path) -> None:
    (tmp_path / "src/pkg/dashboard").mkdir(parents=True)
    (tmp_path / "src/pkg/dashboard/app.py").write_text("x = 1\n")
    (tmp_path / "keep.txt").write_text("keep\n")
    (tmp_path / "b.yml").write_text("b: 1\n")
    data = {
        "dashboard": {"streamlit": ["src/{package}/dashboard"], "none": []},
        "ci": {"a": ["a.yml"], "b": ["b.yml"]},
    }
    removed = manifest.prune(tmp_path, data, {"package_name": "pkg", "dashboard": "none", "ci": "a"})
    assert sorted(p.name for p in removed) == ["b.yml", "dashboard"]
    assert not (tmp_path / "src/pkg/dashboard").exists()
    assert (tmp_path / "keep.txt").exists()


def test_every_manifest_glob_matches_a_template_file() -> None:
    data = manifest.load()
    for option, values in data.items():
        for value in values:
            for glob in manifest.owned_globs(data, option, value, "{{cookiecutter.package_name}}"):
                assert list(PROJECT_TEMPLATE.glob(glob)), f"{option}={value}: {glob} matches nothing"


def test_finish_project_writes_private_env_with_distinct_secrets(tmp_path: Path) -> None:
    projects = []
    for name in ("one", "two"):
        project = tmp_path / name
        (project / "scripts").mkdir(parents=True)
        (project / "scripts/write_env.py").write_text((PROJECT_TEMPLATE / "scripts/write_env.py").read_text())
        (project / ".env.example").write_text("A=1\nDB_PASSWORD=change-me\nAPI_SECRET=change-me\n")
        finish_project(project, valid_answers())
        projects.append((project / ".env").read_text())
        assert stat.S_IMODE((project / ".env").stat().st_mode) == 0o600
    first, second = (
        {k: v for k, _, v in (line.partition("=") for line in env.splitlines())} for env in projects
    )
    assert first["A"] == "1"
    assert first["DB_PASSWORD"] != first["API_SECRET"]
    assert first["DB_PASSWORD"] != second["DB_PASSWORD"]
    assert "change-me" not in projects[0] + projects[1]


def test_jinja_extension_knows_the_template_folder() -> None:
    assert Path(EXTENSION_TEMPLATE_DIR) == TEMPLATE_DIR


@pytest.mark.parametrize(
    ("name", "slug", "package"),
    [
        ("Détection de fraude (v2)", "detection-de-fraude-v2", "detection_de_fraude_v2"),
        ("My AI Solution", "my-ai-solution", "my_ai_solution"),
        ("Straße_Ünïcode  --  Tool", "strasse-unicode-tool", "strasse_unicode_tool"),
    ],
)
def test_derived_names_are_transliterated_and_valid(name: str, slug: str, package: str) -> None:
    assert answers.derive_slug(name) == slug
    assert answers.derive_package_name(answers.derive_slug(name)) == package
    check_answers(valid_answers(project_name=name, project_slug=slug, package_name=package))


def test_name_without_letters_gives_no_slug_and_says_to_pass_one() -> None:
    assert answers.derive_slug("(!!!)") == ""
    assert "pass project_slug" in answers.problem("", "project_slug")


def copier_validator(option: str, value: str, *, defaults: bool, data: dict[str, str]) -> str:
    """Render copier.yml's validator of `option` the way copier does, with our extension loaded."""
    env = jinja2.Environment(extensions=[CopierExtension])
    validator = COPIER[option]["validator"]
    return env.from_string(validator).render(
        {option: value, "_copier_conf": {"defaults": defaults, "data": data}}
    )


def test_copier_validator_reports_the_rule_when_asked() -> None:
    message = copier_validator("project_slug", "Bad Slug", defaults=False, data={})
    assert message == answers.problem("Bad Slug", "project_slug")
    assert "normalised distribution name" in message
    assert copier_validator("project_slug", "good-slug", defaults=False, data={}) == ""


@pytest.mark.parametrize(
    ("defaults", "data"), [(True, {}), (False, {"project_slug": "Bad Slug"})], ids=["defaults", "data"]
)
def test_copier_validator_leaves_unasked_answers_to_the_final_check(
    defaults: bool, data: dict[str, str]
) -> None:
    # copier turns a failing validator of an unasked answer into a traceback; checked_answers reports it.
    assert copier_validator("project_slug", "Bad Slug", defaults=defaults, data=data) == ""
    with pytest.raises(UserMessageError, match="project_slug='Bad Slug'"):
        copier_checked_answers(valid_answers(project_slug="Bad Slug"))


def test_cookiecutter_check_raises_what_its_command_line_prints_without_traceback() -> None:
    with pytest.raises(FailedHookException, match="author_email='nope'"):
        cookiecutter_checked_answers(valid_answers(author_email="nope"))
    assert cookiecutter_checked_answers(valid_answers()) == "yes"
