"""The generated chart on a real Kubernetes API server (etcd + kube-apiserver on 127.0.0.1).

For every ci/ values file, each rendered object passes a server-side dry-run with strict field
validation into a namespace that enforces PodSecurity `restricted`, with no warning. Negative
controls prove the server would say no: a privileged pod and an unknown field are rejected.
Needs the binaries of `make infra-k8s`; skips without them (fails under CI=true once wired in).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.baking import bake, default_answers
from tests.infra.apiserver import ApiServer, BinariesMissing, running_apiserver

pytestmark = pytest.mark.k8s
# Flipped when .ci/run builds the binaries (make infra-k8s): then a skip under CI=true fails.
REQUIRED_IN_CI = False
NAMESPACE = "restricted"
PRIVILEGED_POD = """
apiVersion: v1
kind: Pod
metadata: {name: privileged}
spec:
  containers:
  - name: main
    image: busybox
    securityContext: {privileged: true}
"""
UNKNOWN_FIELD = """
apiVersion: v1
kind: ConfigMap
metadata: {name: unknown-field}
data: {key: value}
notAField: true
"""


@pytest.fixture(scope="module")
def apiserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    try:
        with running_apiserver(tmp_path_factory.mktemp("apiserver")) as server:
            yield server
    except BinariesMissing as missing:
        if REQUIRED_IN_CI and os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the API server checks: {missing}")
        pytest.skip(str(missing))


@pytest.fixture(scope="module")
def restricted_namespace(apiserver: ApiServer) -> str:
    created = apiserver.kubectl_run("create", "namespace", NAMESPACE)
    assert created.returncode == 0, created.stderr
    # Enforce rejects pods; warn reports workload templates (Deployments, Jobs) that would be.
    for mode in ("enforce", "warn", "audit"):
        labelled = apiserver.kubectl_run(
            "label", "namespace", NAMESPACE, f"pod-security.kubernetes.io/{mode}=restricted"
        )
        assert labelled.returncode == 0, labelled.stderr
    return NAMESPACE


@pytest.fixture(scope="module")
def chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = bake("cookiecutter", default_answers(), tmp_path_factory.mktemp("chart-bake"))
    return project / "charts" / project.name


def helm() -> str:
    from tests.test_deployment_files import _go_tool

    return _go_tool("install_helm.sh", "HELM")


def dry_run(apiserver: ApiServer, namespace: str, manifest: str) -> subprocess.CompletedProcess[str]:
    return apiserver.kubectl_run(
        "apply", "--dry-run=server", "--validate=strict", "--namespace", namespace, "-f", "-", stdin=manifest
    )


@pytest.mark.parametrize("values", ["default-values.yaml", "minimal-values.yaml", "production-values.yaml"])
def test_every_rendered_object_is_admitted_under_restricted_pod_security(
    apiserver: ApiServer, restricted_namespace: str, chart: Path, values: str
) -> None:
    values_file = chart / "ci" / values
    if not values_file.exists():
        pytest.skip(f"the chart has no ci/{values}")
    rendered = subprocess.run(
        [
            helm(),
            "template",
            "release",
            str(chart),
            "--namespace",
            restricted_namespace,
            "--kube-version",
            apiserver.version,
            "--values",
            str(values_file),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert rendered.returncode == 0, rendered.stderr
    applied = dry_run(apiserver, restricted_namespace, rendered.stdout)
    assert applied.returncode == 0, f"{values}: {applied.stderr}"
    assert "Warning" not in applied.stderr, f"{values}: {applied.stderr}"
    assert "(server dry run)" in applied.stdout


def test_the_namespace_rejects_a_privileged_pod(apiserver: ApiServer, restricted_namespace: str) -> None:
    applied = dry_run(apiserver, restricted_namespace, PRIVILEGED_POD)
    assert applied.returncode != 0
    assert "violates PodSecurity" in applied.stderr


def test_strict_validation_rejects_an_unknown_field(apiserver: ApiServer, restricted_namespace: str) -> None:
    applied = dry_run(apiserver, restricted_namespace, UNKNOWN_FIELD)
    assert applied.returncode != 0
    assert "notAField" in applied.stderr
