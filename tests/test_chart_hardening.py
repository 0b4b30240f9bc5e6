"""The chart's least-privilege defaults, read from the rendered objects: NetworkPolicies that deny
by default and open only the flows each component needs, CPU and memory bounds on every
container, and secrets mounted as read-only files when `secrets.asFiles` asks for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_deployment_files import (  # the chart fixtures too: each helm bake of the matrix
    Chart,
    _go_tool,
    all_containers,
    app_pod_specs,
    chart,
    chart_combo,
    chart_project,
    helm_template,
    pod_specs,
    rendered,
)

SECRET_KEYS = {"DATABASE_URL", "OIDC_CLIENT_SECRET", "SESSION_SECRET"}
SECRETS_VOLUME = "secrets"
__all__ = ["chart", "chart_combo", "chart_project"]


@pytest.fixture(scope="session")
def helm() -> str:
    return _go_tool("install_helm.sh", "HELM")


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def pod_labels(docs: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Each workload's pod labels, by workload name."""
    labels = {}
    for doc in docs:
        if doc["kind"] in ("Deployment", "Job"):
            labels[doc["metadata"]["name"]] = doc["spec"]["template"]["metadata"]["labels"]
        elif doc["kind"] == "CronJob":
            labels[doc["metadata"]["name"]] = doc["spec"]["jobTemplate"]["spec"]["template"]["metadata"][
                "labels"
            ]
        elif doc["kind"] == "Pod":
            labels[doc["metadata"]["name"]] = doc["metadata"]["labels"]
    return labels


def selects(policy: dict[str, Any], labels: dict[str, str]) -> bool:
    selector: dict[str, str] = policy["spec"]["podSelector"]["matchLabels"]
    return selector.items() <= labels.items()


def component(peer: dict[str, Any]) -> str | None:
    labels: dict[str, str] = peer.get("podSelector", {}).get("matchLabels", {})
    return labels.get("app.kubernetes.io/component") if "namespaceSelector" not in peer else None


def test_network_policies_deny_by_default_and_open_only_the_named_flows(chart: Chart, helm: str) -> None:
    docs = rendered(helm, chart.path, chart.path / "ci" / "default-values.yaml")
    policies = by_kind(docs, "NetworkPolicy")
    prefix = f"release-{chart.path.name}"
    deny = policies[f"{prefix}-default-deny"]["spec"]
    assert deny["policyTypes"] == ["Ingress", "Egress"]
    assert "ingress" not in deny
    assert "egress" not in deny
    for workload, labels in pod_labels(docs).items():
        assert selects(policies[f"{prefix}-default-deny"], labels), f"{workload} escapes the default deny"
    api_from = policies[f"{prefix}-api-ingress"]["spec"]["ingress"][0]["from"]
    assert api_from[0]["namespaceSelector"] == {
        "matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}
    }
    assert {component(peer) for peer in api_from[1:]} == {"dashboard", "test"}
    dashboard_enabled = any(name.endswith("-dashboard") for name in by_kind(docs, "Deployment"))
    if dashboard_enabled:
        [dashboard_rule] = policies[f"{prefix}-dashboard-ingress"]["spec"]["ingress"]
        assert dashboard_rule["from"] == api_from[:1], "only the ingress controller reaches the dashboard"
    else:
        assert f"{prefix}-dashboard-ingress" not in policies
    egress = policies[f"{prefix}-egress"]["spec"]["egress"]
    dns = egress[0]
    assert dns["to"][0]["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "kube-system"}
    assert {(port["port"], port["protocol"]) for port in dns["ports"]} == {(53, "UDP"), (53, "TCP")}
    assert component(egress[1]["to"][0]) == "api"
    assert component(egress[2]["to"][0]) == "mlflow", "the chart's own MLflow server"
    service_ports = {port["port"] for rule in egress[3:] for port in rule["ports"]}
    assert service_ports == {5432, 5000, 9000, 8080, 443}, "database, MLflow, S3 and OIDC; nothing else"
    [mlflow_rule] = policies[f"{prefix}-mlflow-ingress"]["spec"]["ingress"]
    assert {component(peer) for peer in mlflow_rule["from"]} == {"api", "dashboard", "pipeline"}


def test_network_policy_destinations_come_from_values_and_can_be_turned_off(chart: Chart, helm: str) -> None:
    production = rendered(helm, chart.path, chart.path / "ci" / "production-values.yaml")
    egress = next(doc for doc in production if doc["metadata"]["name"].endswith("-egress"))["spec"]["egress"]
    destinations = [rule["to"] for rule in egress[2:]]
    assert [{"ipBlock": {"cidr": "10.20.0.0/24"}}] in destinations, "the database's CIDR from values"
    assert all(destinations), "production names every destination"
    values = str(chart.path / "ci" / "default-values.yaml")
    result = helm_template(helm, chart.path, "--values", values, "--set", "networkPolicy.enabled=false")
    assert result.returncode == 0, result.stderr
    assert "kind: NetworkPolicy" not in result.stdout


def test_every_container_has_cpu_and_memory_requests_and_limits(chart: Chart, helm: str) -> None:
    for values in chart.values_files:
        for name, spec in pod_specs(rendered(helm, chart.path, values)):
            for container in all_containers(spec):
                resources = container["resources"]
                for bound in ("requests", "limits"):
                    assert set(resources[bound]) >= {"cpu", "memory"}, f"{values.name}: {name} {bound}"


def test_schema_refuses_a_container_without_a_cpu_limit(chart: Chart, helm: str) -> None:
    values = str(chart.path / "ci" / "default-values.yaml")
    for key in ("api", "dashboard", "pipeline", "migrations", "mlflow", "helmTest"):
        # A null deletes the default, as a user's override would.
        result = helm_template(
            helm, chart.path, "--values", values, "--set", f"{key}.resources.limits.cpu=null"
        )
        assert result.returncode != 0, f"{key} without a CPU limit was accepted"
        assert "missing property 'cpu'" in result.stderr, result.stderr


def app_containers(docs: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [
        (name, spec, container)
        for name, spec in app_pod_specs(docs)
        if not name.startswith("Pod/")
        for container in all_containers(spec)
    ]


def test_secrets_are_env_vars_by_default(chart: Chart, helm: str) -> None:
    docs = rendered(helm, chart.path, chart.path / "ci" / "default-values.yaml")
    [config_map] = by_kind(docs, "ConfigMap").values()
    assert "SECRETS_DIR" not in config_map["data"]
    for name, spec, container in app_containers(docs):
        from_secret = {env["name"] for env in container["env"] if "secretKeyRef" in env.get("valueFrom", {})}
        assert from_secret >= SECRET_KEYS, name
        assert SECRETS_VOLUME not in {volume["name"] for volume in spec["volumes"]}, name


def test_secrets_as_files_mount_the_secret_read_only_and_leave_the_environment(
    chart: Chart, helm: str, tmp_path: Path
) -> None:
    values = tmp_path / "as-files.yaml"
    default = (chart.path / "ci" / "default-values.yaml").read_text(encoding="utf-8")
    values.write_text(default.replace("secrets:\n", "secrets:\n  asFiles: true\n", 1), encoding="utf-8")
    docs = rendered(helm, chart.path, values)
    [config_map] = by_kind(docs, "ConfigMap").values()
    [secret] = by_kind(docs, "Secret").values()
    assert set(secret["stringData"]) >= SECRET_KEYS, "each key becomes a file named like its setting"
    secrets_dir = config_map["data"]["SECRETS_DIR"]
    containers = app_containers(docs)
    assert len(containers) >= 2
    for name, spec, container in containers:
        assert "env" not in container, f"{name} still passes secrets as environment variables"
        [mount] = [mount for mount in container["volumeMounts"] if mount["name"] == SECRETS_VOLUME]
        assert mount == {"name": SECRETS_VOLUME, "mountPath": secrets_dir, "readOnly": True}, name
        [volume] = [volume for volume in spec["volumes"] if volume["name"] == SECRETS_VOLUME]
        assert volume["secret"]["secretName"] == secret["metadata"]["name"], name
        assert volume["secret"]["defaultMode"] & 0o077 == 0o040, f"{name}: group-read only, never written"
    [test_pod] = [spec for name, spec in pod_specs(docs) if name.startswith("Pod/")]
    assert SECRETS_VOLUME not in {volume["name"] for volume in test_pod["volumes"]}, "the test needs none"
