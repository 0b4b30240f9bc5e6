"""A secret scan (detect-secrets) of a generated project finds only the fakes listed here.

The default bake holds every file any option adds. `.env` is left out: it holds the real
secrets `make env` generated, and git ignores it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.baking import default_answers

DETECT_SECRETS = str(Path(sys.executable).parent / "detect-secrets")
# (file, detector) -> why what it found is not a secret. `{slug}`: the project's slug.
ALLOWED = {
    ("benchmarks/prediction_log.py", "Basic Auth Credentials"): "usage line: user:pw@host",
    ("charts/{slug}/README.md", "Basic Auth Credentials"): "example of the Secret to create",
    ("charts/{slug}/ci/default-values.yaml", "Basic Auth Credentials"): "ci-only-… fake",
    ("charts/{slug}/ci/default-values.yaml", "Secret Keyword"): "ci-only-… fakes",
    ("charts/{slug}/ci/minimal-values.yaml", "Basic Auth Credentials"): "ci-only-… fake",
    ("charts/{slug}/ci/minimal-values.yaml", "Secret Keyword"): "ci-only-… fakes",
    ("charts/{slug}/ci/production-values.yaml", "Secret Keyword"): "names of Secrets, no values",
    ("deploy/kind/values.yaml", "Secret Keyword"): "the name of the Secret scripts/chart_ci.sh makes",
    ("src/{package}/config.py", "Secret Keyword"): "the change-me marker of an unset secret",
    ("src/{package}/dashboard/urls.py", "Basic Auth Credentials"): "docstring example",
    ("src/{package}/devtokens.py", "Secret Keyword"): "the dev provider's public dev client",
    ("tests/dashboard/test_browser.py", "Secret Keyword"): "test fake",
    ("tests/dashboard/test_data_access.py", "Basic Auth Credentials"): "test fake",
    ("tests/dashboard/test_launcher.py", "Secret Keyword"): "test fake",
    ("tests/test_config.py", "Base64 High Entropy String"): "test fake of a well-formed secret",
    ("tests/test_config.py", "Secret Keyword"): "test fakes",
    ("tests/test_config.py", "Basic Auth Credentials"): "a placeholder the settings must refuse",
    ("tests/test_secret_rule.py", "Base64 High Entropy String"): "a placeholder the rule must refuse",
}


def findings(project: Path) -> set[tuple[str, str]]:
    result = subprocess.run(
        [DETECT_SECRETS, "scan", "--all-files", "--exclude-files", r"^\.env$", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout)["results"]
    return {(path, item["type"]) for path, items in report.items() for item in items}


def test_generated_project_holds_no_secret_but_the_listed_fakes(baked: Callable[..., Path]) -> None:
    project = baked("cookiecutter", default_answers(), "defaults")
    names = {"slug": project.name, "package": project.name.replace("-", "_")}
    allowed = {(path.format(**names), kind) for path, kind in ALLOWED}
    found = findings(project)
    assert not found - allowed, "new findings; remove the secret, or list a fake with its reason"
    assert not allowed - found, "listed findings no longer found; drop them from ALLOWED"
