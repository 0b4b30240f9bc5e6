"""The generated chart on a real Kubernetes API server (etcd + kube-apiserver on 127.0.0.1).

For every ci/ values file, each rendered object passes a server-side dry-run with strict field
validation into a namespace that enforces PodSecurity `restricted`, with no warning. Negative
controls prove the server would say no: an unhardened pod and an unknown field are rejected.
Builds the binaries with tests/infra/k8s.sh (cached; needs root and apt-get, else a skip, which
under CI=true is a failure).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.baking import bake, default_answers
from tests.infra.apiserver import ApiServer, running_apiserver
from tests.stack import infra_built

# One API server for the module, in one xdist worker (make test runs `--dist loadgroup`).
pytestmark = [pytest.mark.k8s, pytest.mark.xdist_group("apiserver")]
NAMESPACE = "restricted"
# Allowed by the cluster (no privileged flag), refused by `restricted`: root, no seccomp profile,
# capabilities and privilege escalation left at their defaults.
UNHARDENED_POD = """
apiVersion: v1
kind: Pod
metadata: {name: unhardened}
spec:
  containers:
  - name: main
    image: busybox
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
    infra_built("k8s.sh")
    with running_apiserver(tmp_path_factory.mktemp("apiserver")) as server:
        yield server


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


def test_the_namespace_rejects_a_pod_that_is_not_restricted(
    apiserver: ApiServer, restricted_namespace: str
) -> None:
    applied = dry_run(apiserver, restricted_namespace, UNHARDENED_POD)
    assert applied.returncode != 0
    assert "violates PodSecurity" in applied.stderr


def test_strict_validation_rejects_an_unknown_field(apiserver: ApiServer, restricted_namespace: str) -> None:
    applied = dry_run(apiserver, restricted_namespace, UNKNOWN_FIELD)
    assert applied.returncode != 0
    assert "notAField" in applied.stderr
