"""checkov on what a generated project deploys: the chart rendered with each ci/ values file,
docker/Dockerfile and the CI pipeline, with the project's own .checkov.yaml. Any failed check
fails here, unless that skip list names it with its reason; the list holds no stale entry.

checkov runs offline: no platform download, no update check, and a proxy on a closed
loopback port catches anything that still tries to leave the machine.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.baking import Engine
from tests.matrix import MATRIX, bake_id
from tests.test_deployment_files import HELM_MATRIX, _go_tool, helm_template

CHECKOV_CONFIG = ".checkov.yaml"
# One bake per value of each option that changes what is scanned: the chart differs by
# dashboard, the Dockerfile and pipeline files by CI provider.
CHART_BAKES = list({answers["dashboard"]: answers for answers in reversed(HELM_MATRIX)}.values())
CI_BAKES = list({answers["ci_provider"]: answers for answers in reversed(MATRIX)}.values())
CI_FILES = {"github": ".github/workflows/ci.yml", "gitlab": ".gitlab-ci.yml", "none": None}
CI_FRAMEWORKS = {"github": "github_actions", "gitlab": "gitlab_ci", "none": None}
OFFLINE = {
    "BC_SKIP_MAPPING": "TRUE",
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "",
}
SKIP_ENTRY = re.compile(r"^\s*-\s*(CKV\w+)\s*$")


@pytest.fixture(scope="session")
def helm() -> str:
    return _go_tool("install_helm.sh", "HELM")


@pytest.fixture(scope="session")
def checkov() -> str:
    # The same contract as the Go tools' scripts: install once, print the executable's path last.
    return _go_tool("install_checkov.sh", "CHECKOV")


def scan(
    checkov: str,
    cwd: Path,
    *files: Path,
    frameworks: list[str],
    config: Path | None,
    checks: str = "",
) -> list[dict[str, Any]]:
    """checkov's JSON report, one entry per framework; with `config`, that file's skip list applies."""
    options = ["--config-file", str(config)] if config else ["--skip-download"]
    args = [checkov, *options, "--output", "json", "--framework", *frameworks]
    if checks:
        args += ["--check", checks]
    for path in files:
        args += ["--file", str(path)]
    env = {**os.environ, **OFFLINE}
    result = subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=env, check=False)
    assert result.returncode in (0, 1), result.stdout[-2000:] + result.stderr[-4000:]
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    assert {entry["check_type"] for entry in reports} == set(frameworks), result.stdout[:2000]
    return reports


def failures(reports: list[dict[str, Any]]) -> list[str]:
    return [
        f"{check['check_id']} {check['check_name']}: {check['resource']} ({check['file_path']})"
        for report in reports
        for check in report["results"]["failed_checks"]
    ]


def skip_list(project: Path) -> list[str]:
    config = yaml.safe_load((project / CHECKOV_CONFIG).read_text(encoding="utf-8"))
    skipped: list[str] = config["skip-check"]
    return skipped


def render(helm: str, chart: Path, out: Path, *args: str) -> Path:
    result = helm_template(helm, chart, *args)
    assert result.returncode == 0, result.stderr
    out.write_text(result.stdout, encoding="utf-8")
    return out


def baked_project(baked: Any, answers: dict[str, str]) -> Path:
    engine: Engine = "cookiecutter"
    path: Path = baked(engine, answers, bake_id(answers))
    return path


@pytest.mark.parametrize("values", ["default", "minimal", "production"])
@pytest.mark.parametrize("answers", CHART_BAKES, ids=[bake_id(a) for a in CHART_BAKES])
def test_rendered_chart_fails_no_checkov_check_outside_the_skip_list(
    answers: dict[str, str], values: str, baked: Any, helm: str, checkov: str, tmp_path: Path
) -> None:
    project = baked_project(baked, answers)
    chart = project / "charts" / project.name
    manifests = render(
        helm, chart, tmp_path / f"{values}.yaml", "--values", str(chart / "ci" / f"{values}-values.yaml")
    )
    [report] = scan(checkov, project, manifests, frameworks=["kubernetes"], config=project / CHECKOV_CONFIG)
    assert failures([report]) == []
    assert report["summary"]["passed"] > 100, "checkov found the workloads"
    # The only suppressions in the chart itself: the probes of the run-to-completion test pod.
    suppressed = {
        (check["check_id"], check["resource"].split(".")[0]) for check in report["results"]["skipped_checks"]
    }
    assert suppressed == {("CKV_K8S_8", "Pod"), ("CKV_K8S_9", "Pod")}
    assert all(check["check_result"].get("suppress_comment") for check in report["results"]["skipped_checks"])


@pytest.mark.parametrize("answers", CI_BAKES, ids=[bake_id(a) for a in CI_BAKES])
def test_dockerfile_and_ci_pipeline_fail_no_checkov_check_outside_the_skip_list(
    answers: dict[str, str], baked: Any, checkov: str
) -> None:
    project = baked_project(baked, answers)
    files = [project / "docker" / "Dockerfile"]
    frameworks = ["dockerfile"]
    if ci_file := CI_FILES[answers["ci_provider"]]:
        files.append(project / ci_file)
        frameworks.append(str(CI_FRAMEWORKS[answers["ci_provider"]]))
    reports = scan(checkov, project, *files, frameworks=frameworks, config=project / CHECKOV_CONFIG)
    assert failures(reports) == []
    for report in reports:
        assert report["summary"]["passed"] > 10, f"checkov found the {report['check_type']} file"


def test_skip_list_holds_exactly_what_fails_without_it_each_with_a_reason(
    baked: Any, helm: str, checkov: str, tmp_path: Path
) -> None:
    project = baked_project(baked, MATRIX[0])
    chart = project / "charts" / project.name
    manifests = render(
        helm, chart, tmp_path / "default.yaml", "--values", str(chart / "ci" / "default-values.yaml")
    )
    reports = scan(
        checkov,
        tmp_path,
        manifests,
        project / "docker" / "Dockerfile",
        project / ".github" / "workflows" / "ci.yml",
        frameworks=["kubernetes", "dockerfile", "github_actions"],
        config=None,
    )
    failed = {check.split(" ", 1)[0] for check in failures(reports)}
    assert failed == set(skip_list(project)), "a skipped check passes now, or a new one fails"
    lines = (project / CHECKOV_CONFIG).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if match := SKIP_ENTRY.match(line):
            assert lines[number - 1].strip().startswith("# "), f"{match[1]} needs a one-line reason above it"


def test_checkov_fails_the_chart_without_network_policies_or_with_secrets_in_env(
    baked: Any, helm: str, checkov: str, tmp_path: Path
) -> None:
    project = baked_project(baked, MATRIX[0])
    chart = project / "charts" / project.name
    checks = "CKV2_K8S_6,CKV_K8S_35"
    default = str(chart / "ci" / "default-values.yaml")
    open_network = render(
        helm, chart, tmp_path / "open.yaml", "--values", default, "--set", "networkPolicy.enabled=false"
    )
    production = render(
        helm, chart, tmp_path / "prod.yaml", "--values", str(chart / "ci" / "production-values.yaml")
    )
    [report] = scan(checkov, tmp_path, open_network, frameworks=["kubernetes"], config=None, checks=checks)
    failed = {check.split(" ", 1)[0] for check in failures([report])}
    assert failed == {"CKV2_K8S_6", "CKV_K8S_35"}, "without policies every pod is open; env vars hold secrets"
    [report] = scan(checkov, tmp_path, production, frameworks=["kubernetes"], config=None, checks=checks)
    assert failures([report]) == [], "secrets.asFiles passes CKV_K8S_35 by itself"
