"""Every combination in the matrix, through both engines: same output, clean, parseable, linted."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from template_hooks import locks, manifest
from template_hooks.answers import MAX_NAME_LENGTH, MAX_TITLE_LENGTH, derive_slug
from tests.baking import ENGINES, TEMPLATE_DIR, bake, default_answers
from tests.matrix import bake_id

BIN_DIR = Path(sys.executable).parent
# The template's own pinned Poetry (`make bootstrap`), the one that wrote locks/.
POETRY = str(TEMPLATE_DIR / ".tools" / "bin" / "poetry")
MANIFEST = manifest.load()
# Files whose own syntax is a template language that uses `{{ }}` on purpose.
GO_TEMPLATES = re.compile(r"^charts/[^/]+/templates/")
GITHUB_EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
# Generated per project, so never equal between two bakes.
ENGINE_OWN_FILES = {".copier-answers.yml"}


def text_files(project: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(project.rglob("*")):
        if path.is_file() and ".git" not in path.parts:
            yield path.relative_to(project).as_posix(), path.read_text(encoding="utf-8")


def mask_secrets(env_text: str) -> str:
    return re.sub(r"^([A-Z_]*(SECRET|PASSWORD|SECRET_KEY))=.*$", r"\1=<secret>", env_text, flags=re.M)


def test_both_engines_generate_identical_projects(combo: dict[str, str], baked: Callable[..., Path]) -> None:
    by_cookiecutter = dict(text_files(baked("cookiecutter", combo, bake_id(combo))))
    by_copier = dict(text_files(baked("copier", combo, bake_id(combo))))
    assert set(by_copier) - set(by_cookiecutter) == ENGINE_OWN_FILES
    for name, content in by_cookiecutter.items():
        other = by_copier[name]
        if name == ".env":
            content, other = mask_secrets(content), mask_secrets(other)
        assert content == other, f"{name} differs between cookiecutter and copier"


def test_no_template_syntax_is_left(project: Path) -> None:
    leftovers = []
    for name, content in text_files(project):
        if GO_TEMPLATES.match(name) or (name.endswith("NOTES.txt") and name.startswith("charts/")):
            content = re.sub(r"\{\{-?.*?-?\}\}", "", content)
        content = GITHUB_EXPRESSION.sub("", content)
        for marker in ("{{", "{%", "cookiecutter."):
            if marker in content:
                leftovers.append(f"{name}: {marker}")
    assert not leftovers


def test_files_follow_the_manifest(project: Path, combo: dict[str, str]) -> None:
    package = project.name.replace("-", "_")
    # A file also owned by a value not chosen (deploy/kind/keycloak.yaml: keycloak, inside the
    # chart's deploy/kind) goes with it.
    removed = manifest.disabled_globs(MANIFEST, {**combo, "package_name": package})
    for option, values in MANIFEST.items():
        for value in values:
            for glob in manifest.owned_globs(MANIFEST, option, value, package):
                matches = list(project.glob(glob))
                if value == combo[option]:
                    if any(glob == gone or glob.startswith(f"{gone}/") for gone in removed):
                        continue
                    assert matches, f"{option}={value} owns {glob}, which is missing"
                else:
                    assert not matches, f"{option}={value} was not chosen but {glob} is there"


def test_structured_files_parse(project: Path) -> None:
    checked = 0
    for name, content in text_files(project):
        if name.endswith((".yml", ".yaml")) and not GO_TEMPLATES.match(name):
            list(yaml.safe_load_all(content))
        elif name.endswith(".toml"):
            tomllib.loads(content)
        elif name.endswith(".json"):
            json.loads(content)
        else:
            continue
        checked += 1
    assert checked >= 3


def test_env_holds_fresh_private_secrets(project: Path) -> None:
    env = project / ".env"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    values = [line.partition("=")[2] for line in env.read_text(encoding="utf-8").splitlines() if "=" in line]
    assert "change-me" not in values
    assert ".env" in (project / ".gitignore").read_text(encoding="utf-8").split()


def test_pyproject_matches_answers(project: Path, combo: dict[str, str]) -> None:
    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["name"] == project.name
    assert meta["requires-python"].startswith(f">={combo['python_version']}")
    spdx = "LicenseRef-Proprietary" if combo["license"] == "Proprietary" else combo["license"]
    assert meta["license"] == spdx
    assert (project / "LICENSES" / f"{spdx}.txt").is_file()


def ruff_problems(project: Path) -> str:
    """What `ruff check` and `ruff format --check` report on a generated project ("" when clean)."""
    found = ""
    # No cache: the bakes are shared, and later checks (the secret scan) read every file.
    for command in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        result = subprocess.run(
            [str(BIN_DIR / "ruff"), *command], cwd=project, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            found += result.stdout + result.stderr
    return found


def test_ruff_passes(project: Path) -> None:
    assert not ruff_problems(project)


@pytest.mark.parametrize("dashboard", ["streamlit", "none"])
def test_ruff_passes_with_the_longest_names_allowed(baked: Callable[..., Path], dashboard: str) -> None:
    """Package and slug names enter import lines and messages: at their limit, lines still fit."""
    answers = {
        **default_answers(),
        "project_name": "A" * MAX_TITLE_LENGTH,
        "project_slug": "s" * MAX_NAME_LENGTH,
        "package_name": "p" * MAX_NAME_LENGTH,
        "dashboard": dashboard,
    }
    assert not ruff_problems(baked("cookiecutter", answers, f"longest-names-{dashboard}"))


def test_shipped_lock_is_fresh(project: Path, combo: dict[str, str]) -> None:
    """The lock the template ships installs as is: Poetry refuses a lock its pyproject outgrew."""
    assert (project / "poetry.lock").read_text(encoding="utf-8") == locks.shipped_lock(
        combo["python_version"], combo["dashboard"]
    )
    result = subprocess.run(
        [POETRY, "check", "--lock", "--no-interaction"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"run `make lock-generated`:\n{result.stdout}{result.stderr}"


# Names that derive a clean slug only after transliteration, or need one passed.
NAMES = {
    "accents-and-parentheses": {"project_name": "Détection de fraude (v2)"},
    "punctuation-with-slug": {"project_name": "(!!!)", "project_slug": "bang-tool"},
}


@pytest.mark.parametrize("names", list(NAMES.values()), ids=list(NAMES))
def test_unusual_names_bake_clean_and_alike(names: dict[str, str], tmp_path: Path) -> None:
    answers = {**default_answers(), **names}
    slug = names.get("project_slug") or derive_slug(names["project_name"])
    by_engine = {engine: bake(engine, answers, tmp_path) for engine in ENGINES}
    for project in by_engine.values():
        assert project.name == slug
        meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        assert meta["name"] == slug
        assert (project / "src" / slug.replace("-", "_") / "__init__.py").is_file()
    by_cookiecutter = dict(text_files(by_engine["cookiecutter"]))
    by_copier = dict(text_files(by_engine["copier"]))
    for name, content in by_cookiecutter.items():
        if name != ".env":
            assert content == by_copier[name], f"{name} differs between cookiecutter and copier"
    leftovers = [name for name, text in by_cookiecutter.items() if "cookiecutter." in text]
    assert not leftovers
    assert not ruff_problems(by_engine["cookiecutter"])
