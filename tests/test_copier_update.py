"""`copier update` from one tagged template version to the next, on a project a user has edited."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from tests.baking import BIN_DIR, TEMPLATE_DIR, default_answers

# The template's own build output and environments are not part of a release.
NOT_RELEASED = shutil.ignore_patterns(".git", ".venv", ".tools", "build", "__pycache__", ".*_cache")
ANSWERS = {**default_answers(), "dashboard": "none", "ci_provider": "gitlab"}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def release_two_versions(repo: Path) -> None:
    """A template repository with v1.0.0, then v2.0.0 that changes one generated file."""
    shutil.copytree(TEMPLATE_DIR, repo, ignore=NOT_RELEASED)
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "v1")
    git(repo, "tag", "v1.0.0")
    editorconfig = repo / "{{cookiecutter.project_slug}}" / ".editorconfig"
    editorconfig.write_text(editorconfig.read_text() + "\n[*.md]\ntrim_trailing_whitespace = false\n")
    git(repo, "commit", "--quiet", "--all", "--message", "v2: keep Markdown line breaks")
    git(repo, "tag", "v2.0.0")


def test_update_applies_the_new_version_and_keeps_the_users_edit(tmp_path: Path) -> None:
    template, project = tmp_path / "template", tmp_path / "project"
    release_two_versions(template)
    copier = str(BIN_DIR / "copier")
    copied = subprocess.run(
        [
            copier,
            "copy",
            "--trust",
            "--defaults",
            "--quiet",
            "--vcs-ref",
            "v1.0.0",
            *[f"--data={key}={value}" for key, value in ANSWERS.items()],
            str(template),
            str(project),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert copied.returncode == 0, copied.stderr
    secrets_before = (project / ".env").read_text()
    git(project, "init", "--quiet")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message", "generated")
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n## Our team's notes\n\nOn-call: #ml-platform\n")
    git(project, "commit", "--quiet", "--all", "--message", "our notes")

    updated = subprocess.run(
        [copier, "update", "--trust", "--defaults", "--quiet", "--vcs-ref", "v2.0.0"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )

    assert updated.returncode == 0, updated.stderr
    assert "[*.md]" in (project / ".editorconfig").read_text()
    assert "On-call: #ml-platform" in readme.read_text()
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == "v2.0.0"
    assert (project / ".env").read_text() == secrets_before
    assert not list(project.rglob("*.rej")), "the update left conflicts"
    assert not (project / ".github").exists(), "a pruned option came back"
    status = git(project, "status", "--porcelain")
    assert {line[3:] for line in status.splitlines()} == {".editorconfig", ".copier-answers.yml"}
