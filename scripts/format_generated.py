"""Apply `ruff format` and `ruff check --fix` to the generated project's Python templates.

Template files cannot be formatted in place (Jinja in imports is not Python), so this bakes
a probe project with unmistakable answers, fixes it with the project's own ruff settings,
maps each changed file back to its template (answers -> Jinja variables) and writes it only
when the result renders to exactly the fixed file. Files it cannot map are listed.

Usage: python scripts/format_generated.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import jinja2

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TEMPLATE_DIR))

from tests.baking import bake, default_answers  # noqa: E402

PROBE = {
    "project_name": "Zzq Probe",
    "project_slug": "zzq-probe",
    "package_name": "zzq_probe",
    "description": "Zzq description.",
    "author_name": "Zzq Author",
    "author_email": "zzq@example.com",
}
VARIABLES = {value: f"{{{{ cookiecutter.{key} }}}}" for key, value in PROBE.items()}
PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
RUFF = Path(sys.executable).parent / "ruff"


def template_path(relative: Path) -> Path:
    return PROJECT_TEMPLATE / Path(
        *(part.replace(PROBE["package_name"], "{{cookiecutter.package_name}}") for part in relative.parts)
    )


def main() -> int:
    answers = {**default_answers(), **PROBE}
    with tempfile.TemporaryDirectory() as tmp:
        project = bake("cookiecutter", answers, Path(tmp))
        before = {p: p.read_text(encoding="utf-8") for p in project.rglob("*.py")}
        subprocess.run([str(RUFF), "format", "-q", "."], cwd=project, check=False)
        subprocess.run([str(RUFF), "check", "-q", "--fix", "."], cwd=project, check=False)
        unmapped = []
        for path, old in before.items():
            fixed = path.read_text(encoding="utf-8")
            if fixed == old:
                continue
            candidate = fixed
            for value, variable in VARIABLES.items():
                candidate = candidate.replace(value, variable)
            source = template_path(path.relative_to(project))
            rendered = jinja2.Template(candidate, keep_trailing_newline=True).render(cookiecutter=answers)
            # A file with Jinja control blocks renders differently per option: not mappable.
            if "{%" not in source.read_text(encoding="utf-8") and rendered == fixed:
                source.write_text(candidate, encoding="utf-8")
                print(f"formatted {source.relative_to(TEMPLATE_DIR)}")
            else:
                unmapped.append(source.relative_to(TEMPLATE_DIR))
        for source in unmapped:
            print(f"cannot map back, fix by hand: {source}", file=sys.stderr)
        remaining = subprocess.run([str(RUFF), "check", "."], cwd=project, capture_output=True, text=True)
        print(remaining.stdout[-3000:])
    return 1 if unmapped or remaining.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
