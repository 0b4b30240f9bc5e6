"""Deployment and CI files of every bake, checked offline: Compose, Dockerfile, Keycloak realm,
Helm chart (helm lint/template, Kubernetes schemas), GitHub and GitLab pipelines, and the contract
that Compose and Helm pass only settings the application knows, and every one it requires.

Docker cannot run here, so the files are validated against their published schemas and parsed
for structure; the generated project's own CI builds the image and boots the stack.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]  # ships no type information
import pytest
import yaml

from tests.baking import TEMPLATE_DIR
from tests.matrix import MATRIX, bake_id

BIN_DIR = Path(sys.executable).parent
KUBERNETES_VERSION = "1.33.0"
# DESIGN.md's port contract: service -> ports its container publishes.
PUBLISHED_PORTS = {
    "api": {8000},
    "dashboard": {8501},
    "mlflow": {5000},
    "keycloak": {8080},
    "minio": {9000, 9001},
    "postgres": {5432},
}
# Secrets that must stop `docker compose` with a message when .env lacks them.
REQUIRED_SECRETS = (
    "POSTGRES_PASSWORD",
    "OBJECT_STORAGE_SECRET_KEY",
    "IDENTITY_ADMIN_PASSWORD",
    "OIDC_CLIENT_SECRET",
    "OIDC_MACHINE_CLIENT_SECRET",
    "SESSION_SECRET",
)
# A `${NAME...}` reference in Compose; `$${...}` is an escaped literal for the container's shell.
COMPOSE_VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
APP_WORKLOAD_KINDS = {"Deployment", "CronJob", "Job"}
# The chart's MLflow server is MLflow's own process: it reads MLflow's variables, not Settings.
THIRD_PARTY_COMPONENTS = {"mlflow"}


# ---------------------------------------------------------------- fixtures and helpers


def _go_tool(script: str, env_var: str) -> str:
    """A tool built from its Go module by one of scripts/install_*.sh (a no-op once built)."""
    if os.environ.get(env_var):
        return os.environ[env_var]
    result = subprocess.run(
        ["bash", str(TEMPLATE_DIR / "scripts" / script)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"scripts/{script} failed; run it by hand to see why:\n{result.stderr}")
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def helm() -> str:
    return _go_tool("install_helm.sh", "HELM")


@pytest.fixture(scope="session")
def actionlint() -> str:
    return _go_tool("install_actionlint.sh", "ACTIONLINT")


def run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, cwd=cwd, check=False
    )


def check_jsonschema(schema: str, *files: Path) -> None:
    result = run(BIN_DIR / "check-jsonschema", "--builtin-schema", schema, *files)
    assert result.returncode == 0, result.stdout + result.stderr


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def strings_in(node: Any) -> Iterator[str]:
    """Every string value (and mapping key) inside a parsed YAML document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings_in(item)


@dataclass(frozen=True)
class SettingsContract:
    """The environment variables the application reads, and those it cannot run in prod without."""

    fields: frozenset[str]
    required: frozenset[str]


def settings_contract(project: Path, package: str) -> SettingsContract:
    """Import the generated config.py itself and read its Settings fields."""
    path = project / "src" / package / "config.py"
    spec = importlib.util.spec_from_file_location(f"_baked_config_{abs(hash(path))}", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    # Registered while it loads: pydantic resolves the postponed annotations through sys.modules.
    sys.modules[spec.name] = module
    # config.py imports its standard-library sibling secret_rule.py from the baked package.
    rule = importlib.util.spec_from_file_location(f"{package}.secret_rule", path.with_name("secret_rule.py"))
    assert rule
    assert rule.loader
    sys.modules[rule.name] = importlib.util.module_from_spec(rule)
    try:
        rule.loader.exec_module(sys.modules[rule.name])
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
        del sys.modules[rule.name]
    settings = module.Settings
    prefix = str(settings.model_config.get("env_prefix", ""))
    fields: dict[str, Any] = {}
    for name, info in settings.model_fields.items():
        alias = info.validation_alias if isinstance(info.validation_alias, str) else None
        fields[(alias or prefix + name).upper()] = info
    # Required: no default, or a secret that prod refuses while it still holds the placeholder.
    required = {
        env for env, info in fields.items() if info.is_required() or info.annotation is module.SecretStr
    }
    return SettingsContract(fields=frozenset(fields), required=frozenset(required))


# ---------------------------------------------------------------- Compose


def compose_files(project: Path) -> list[Path]:
    return sorted(project.glob("compose*.yaml"))


def compose_model(project: Path) -> dict[str, dict[str, Any]]:
    """Services of compose.yaml plus its `include:` files, as `docker compose` combines them."""
    base = load_yaml(project / "compose.yaml")
    services: dict[str, dict[str, Any]] = dict(base["services"])
    for entry in base.get("include", []):
        included = load_yaml(project / (entry if isinstance(entry, str) else entry["path"]))
        clash = services.keys() & included["services"].keys()
        assert not clash, f"{entry} redefines {clash}: `include` does not merge services"
        services.update(included["services"])
    return services


def app_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Services that run the project's own CLI (same build, entrypoint not replaced)."""
    return {name: svc for name, svc in services.items() if "build" in svc and "entrypoint" not in svc}


def container_port(mapping: str | dict[str, Any]) -> int:
    if isinstance(mapping, dict):
        return int(mapping["target"])
    return int(str(mapping).rsplit(":", 1)[-1].split("/")[0])


def env_keys(path: Path) -> set[str]:
    return {
        line.split("=", 1)[0].strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }


def test_compose_files_match_the_compose_spec(project: Path) -> None:
    check_jsonschema("vendor.compose-spec", *compose_files(project))


def test_compose_includes_exactly_the_files_of_the_chosen_options(
    project: Path, combo: dict[str, str]
) -> None:
    included = set(load_yaml(project / "compose.yaml")["include"])
    expected = {"compose.minio.yaml" if combo["object_storage"] == "minio" else "compose.local-storage.yaml"}
    if combo["auth_provider"] == "keycloak":
        expected.add("compose.keycloak.yaml")
    if combo["dashboard"] == "streamlit":
        expected.add("compose.dashboard.yaml")
    assert included == expected
    on_disk = {path.name for path in compose_files(project)} - {"compose.yaml", "compose.override.yaml"}
    assert on_disk == expected, "every option's Compose file is included, and no other is left"


def test_compose_services_wait_for_healthy_dependencies(project: Path, combo: dict[str, str]) -> None:
    services = compose_model(project)
    expected = {"postgres", "mlflow", "db-migrate", "api", "pipeline", "smoke"}
    expected |= (
        {"minio", "minio-buckets", "minio-secret-check"} if combo["object_storage"] == "minio" else set()
    )
    keycloak = {"keycloak", "keycloak-dev-users", "keycloak-secret-check"}
    expected |= keycloak if combo["auth_provider"] == "keycloak" else set()
    expected |= {"dashboard"} if combo["dashboard"] == "streamlit" else set()
    assert set(services) == expected
    for name, service in services.items():
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on undefined service {dependency}"
            condition = rule["condition"]
            if condition == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck for {name}"
            else:
                assert condition == "service_completed_successfully", f"{name} -> {dependency}: {condition}"
                assert services[dependency].get("restart") == "no", f"one-shot {dependency} must not restart"
    assert services["pipeline"]["profiles"] == ["pipeline"], "the pipeline is a job, started on demand"
    assert services["smoke"]["profiles"] == ["smoke"], "the smoke test is a job, started on demand"


def test_compose_ports_follow_the_design(project: Path) -> None:
    services = compose_model(project)
    override = load_yaml(project / "compose.override.yaml")["services"]
    assert set(override) <= set(services), "the override only adjusts defined services"
    published: dict[str, set[int]] = {}
    for source in (services, override):
        for name, service in source.items():
            published.setdefault(name, set()).update(container_port(p) for p in service.get("ports", []))
    for name, ports in published.items():
        if ports:
            assert ports == PUBLISHED_PORTS[name], f"{name} publishes {ports}"


def test_compose_publishes_on_loopback_unless_one_variable_opts_in(project: Path) -> None:
    services = compose_model(project)
    override = load_yaml(project / "compose.override.yaml")["services"]
    for source in (services, override):
        for name, service in source.items():
            for mapping in service.get("ports", []):
                address = str(mapping).rsplit(":", 2)[0]
                assert address in ("127.0.0.1", "${PUBLISH_ADDRESS:-127.0.0.1}"), f"{name}: {mapping}"


def test_compose_images_are_tagged_with_the_project_version(project: Path) -> None:
    version = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    images = {service["image"] for service in compose_model(project).values() if "build" in service}
    assert images == {
        f"${{APP_IMAGE:-{project.name}:{version}}}",
        f"${{API_IMAGE:-{project.name}-api:{version}}}",
    }


def test_compose_starts_keycloak_and_minio_only_after_the_secret_check(
    project: Path, combo: dict[str, str]
) -> None:
    services = compose_model(project)
    guarded = {"minio"} if combo["object_storage"] == "minio" else set()
    guarded |= {"keycloak"} if combo["auth_provider"] == "keycloak" else set()
    for name in guarded:
        check = services[f"{name}-secret-check"]
        assert (
            services[name]["depends_on"][f"{name}-secret-check"]["condition"]
            == "service_completed_successfully"
        )
        assert check["entrypoint"][:3] == [
            "python",
            "-m",
            f"{combo.get('package_name', project.name.replace('-', '_'))}.secret_rule",
        ]
        assert set(check["command"]) == set(check["environment"]), "checks exactly what it is given"


def test_compose_secrets_are_required_and_every_variable_is_in_env_example(project: Path) -> None:
    documented = env_keys(project / ".env.example")
    assert env_keys(project / ".env") == documented, "the generated .env holds every variable"
    for path in compose_files(project):
        for text in strings_in(load_yaml(path)):
            for name, operator, _ in COMPOSE_VARIABLE.findall(text):
                if name in REQUIRED_SECRETS:
                    assert operator == ":?", f"{path.name}: ${{{name}}} must use :? with a message"
                if operator not in (":-", "-"):
                    assert name in documented, f"{path.name} needs {name}, which .env.example lacks"


API_IMAGE_SERVICES = {"api", "db-migrate", "smoke"}


def test_compose_app_containers_run_the_projects_images_as_non_root_in_prod(project: Path) -> None:
    services = compose_model(project)
    apps = app_services(services)
    assert {"api", "db-migrate", "pipeline"} <= set(apps)
    commands = {name: service["command"] for name, service in apps.items()}
    assert commands["api"] == ["serve", "--no-migrate"], "db-migrate owns migrations"
    assert commands["db-migrate"] == ["db", "upgrade"]
    assert commands["pipeline"] == ["pipeline", "run"]
    # The API's own image (docs/images.md) for what serves and migrates; the full one elsewhere.
    targets = {name: service["build"]["target"] for name, service in apps.items()}
    assert targets == {name: "api" if name in API_IMAGE_SERVICES else "app" for name in apps}
    assert services["mlflow"]["build"]["target"] == "app", "the MLflow server is in the full image only"
    for name, service in apps.items():
        assert service["user"] == "10001:10001", name
        assert service["environment"]["ENVIRONMENT"] == "prod", name
        assert service["build"]["dockerfile"] == "docker/Dockerfile", name


# ---------------------------------------------------------------- Dockerfile


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    logical = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    pairs = []
    for line in logical.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            instruction, _, arguments = stripped.partition(" ")
            pairs.append((instruction.upper(), arguments.strip()))
    return pairs


def test_dockerfile_is_multi_stage_slim_and_non_root(project: Path, combo: dict[str, str]) -> None:
    instructions = dockerfile_instructions(project / "docker" / "Dockerfile")
    stages = [args for instruction, args in instructions if instruction == "FROM"]
    assert stages == [
        "python:${PYTHON_VERSION}-slim AS builder",
        "builder AS wheel",
        "builder AS api-venv",
        "builder AS app-venv",
        "python:${PYTHON_VERSION}-slim AS runtime",
        "runtime AS api",
        "runtime AS app",  # last: a plain `docker build` gives the full image
    ]
    assert ("ARG", f"PYTHON_VERSION={combo['python_version']}") in instructions
    runtime = instructions[[i for i, (ins, _) in enumerate(instructions) if ins == "FROM"][4] :]
    users = [args for instruction, args in runtime if instruction == "USER"]
    assert users == ["10001:10001"], "the runtime stage runs as the fixed non-root id"
    assert not any(instruction == "HEALTHCHECK" for instruction, _ in instructions)
    assert ("ENTRYPOINT", f'["{project.name}"]') in instructions
    build = " ".join(args for instruction, args in instructions if instruction == "RUN")
    assert "poetry install --without dev --no-root" in build
    assert "poetry install --only main,api --no-root" in build, "the API's image: its groups only"
    ignored = (project / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignored[ignored.index("*") + 1 :].count("!src/") == 1, "only allow-listed files reach the image"
    assert "!.env" not in ignored


# ---------------------------------------------------------------- Keycloak realm


def test_keycloak_realm_has_roles_clients_and_no_fixed_secrets(project: Path, combo: dict[str, str]) -> None:
    realm_file = project / "deploy" / "keycloak" / "realm.json"
    if combo["auth_provider"] != "keycloak":
        assert not realm_file.exists()
        assert (project / "docs" / "external-oidc.md").is_file()
        return
    slug = project.name
    realm = json.loads(realm_file.read_text(encoding="utf-8"))
    assert realm["realm"] == slug
    roles = {role["name"]: role for role in realm["roles"]["realm"]}
    assert set(roles) == {"viewer", "predictor", "admin"}
    assert set(roles["admin"]["composites"]["realm"]) == {"predictor", "viewer"}
    clients = {client["clientId"]: client for client in realm["clients"]}
    assert set(clients) == {f"{slug}-api", f"{slug}-dashboard", f"{slug}-machine", f"{slug}-cli"}
    for client in clients.values():
        assert client.get("directAccessGrantsEnabled") is False, client["clientId"]
    for name in ("dashboard", "machine", "cli"):
        mappers = clients[f"{slug}-{name}"]["protocolMappers"]
        audience = [m for m in mappers if m["protocolMapper"] == "oidc-audience-mapper"]
        assert audience[0]["config"]["included.client.audience"] == f"{slug}-api", name
    dashboard = clients[f"{slug}-dashboard"]
    assert dashboard["publicClient"] is False
    assert dashboard["secret"] == "${OIDC_CLIENT_SECRET}", "the secret is read from the environment at import"
    public_url = "${DASHBOARD_URL:http://localhost:8501}"
    assert dashboard["redirectUris"] == [f"{public_url}/*"], "redirects follow DASHBOARD_URL at import"
    assert dashboard["webOrigins"] == [public_url]
    assert dashboard["attributes"]["post.logout.redirect.uris"] == f"{public_url}/*"
    roles_mapper = [
        m for m in dashboard["protocolMappers"] if m["protocolMapper"] == "oidc-usermodel-realm-role-mapper"
    ]
    assert (
        roles_mapper[0]["config"]["id.token.claim"]
        == roles_mapper[0]["config"]["userinfo.token.claim"]
        == "true"
    )
    machine = clients[f"{slug}-machine"]
    assert machine["serviceAccountsEnabled"] is True
    assert machine["standardFlowEnabled"] is False
    assert machine["secret"] == "${OIDC_MACHINE_CLIENT_SECRET}"
    cli = clients[f"{slug}-cli"]
    assert cli["publicClient"] is True
    assert cli["standardFlowEnabled"] is False
    assert cli["attributes"]["oauth2.device.authorization.grant.enabled"] == "true"
    # realm.json ships no people and no passwords (dev users come from create-dev-users.sh).
    assert realm["users"] == [
        {
            "username": f"service-account-{slug}-machine",
            "enabled": True,
            "serviceAccountClientId": f"{slug}-machine",
            "realmRoles": ["predictor", "admin"],
        }
    ]
    keycloak = compose_model(project)["keycloak"]
    assert keycloak["environment"]["OIDC_CLIENT_SECRET"].startswith("${OIDC_CLIENT_SECRET:?")
    assert keycloak["environment"]["OIDC_MACHINE_CLIENT_SECRET"].startswith("${OIDC_MACHINE_CLIENT_SECRET:?")
    assert keycloak["environment"]["DASHBOARD_URL"].startswith("${DASHBOARD_URL:-")
    assert re.fullmatch(r"quay\.io/keycloak/keycloak:\d+\.\d+\.\d+", keycloak["image"]), "an exact version"
    assert "./deploy/keycloak/realm.json:/opt/keycloak/data/import/realm.json:ro" in keycloak["volumes"]
    assert "--import-realm" in keycloak["command"]


# ---------------------------------------------------------------- CI pipelines

# How each pipeline proves auth on the booted stack: the smoke job where a provider runs in it.
SMOKE = {"keycloak": "docker compose run --rm smoke", "external-oidc": "--write-out '%{http_code}'"}


def test_github_workflow_is_valid_and_boots_the_stack(
    project: Path, combo: dict[str, str], actionlint: str
) -> None:
    workflow = project / ".github" / "workflows" / "ci.yml"
    if combo["ci_provider"] != "github":
        assert not workflow.exists()
        return
    check_jsonschema("vendor.github-workflows", workflow)
    linted = run(actionlint, "-no-color", workflow, cwd=project)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    jobs = load_yaml(workflow)["jobs"]
    checks = " ".join(step.get("run", "") for step in jobs["checks"]["steps"])
    for target in ("make install", "make lint", "make typecheck", "make test"):
        assert target in checks
    stack = [step.get("run", "") for step in jobs["stack"]["steps"]]
    assert any(command.startswith("docker compose up") and "--wait" in command for command in stack)
    assert any("docker compose run --rm pipeline" in command for command in stack)
    assert any("/health/ready" in command for command in stack)
    assert any(SMOKE[combo["auth_provider"]] in command for command in stack)
    assert ("chart" in jobs) == (combo["deployment"] == "compose-and-helm")


def test_gitlab_pipeline_is_valid_and_boots_the_stack(project: Path, combo: dict[str, str]) -> None:
    pipeline = project / ".gitlab-ci.yml"
    if combo["ci_provider"] != "gitlab":
        assert not pipeline.exists()
        return
    check_jsonschema("vendor.gitlab-ci", pipeline)
    jobs = load_yaml(pipeline)
    assert {"lint", "typecheck", "test", "docker-image", "compose-smoke"} <= set(jobs)
    assert f"python:{combo['python_version']}-slim" == jobs[".poetry"]["image"]
    smoke = "\n".join(jobs["compose-smoke"]["script"])
    assert "--wait" in smoke
    assert "/health/ready" in smoke
    assert SMOKE[combo["auth_provider"]] in smoke
    assert ("chart" in jobs) == (combo["deployment"] == "compose-and-helm")


# ---------------------------------------------------------------- Helm chart


@dataclass(frozen=True)
class Chart:
    path: Path
    values_files: tuple[Path, ...]


HELM_MATRIX = [answers for answers in MATRIX if answers["deployment"] == "compose-and-helm"]


@pytest.fixture(params=HELM_MATRIX, ids=[bake_id(answers) for answers in HELM_MATRIX])
def chart_combo(request: pytest.FixtureRequest) -> dict[str, str]:
    answers: dict[str, str] = request.param
    return answers


@pytest.fixture
def chart_project(chart_combo: dict[str, str], baked: Callable[..., Path]) -> Path:
    return baked("cookiecutter", chart_combo, bake_id(chart_combo))


@pytest.fixture
def chart(chart_project: Path) -> Chart:
    path = chart_project / "charts" / chart_project.name
    return Chart(path=path, values_files=tuple(sorted((path / "ci").glob("*.yaml"))))


@cache
def helm_template(helm: str, chart: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(helm, "template", "release", chart, "--kube-version", KUBERNETES_VERSION, *args)


def rendered(helm: str, chart: Path, values: Path) -> list[dict[str, Any]]:
    result = helm_template(helm, chart, "--values", str(values))
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def pod_specs(docs: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for doc in docs:
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        if doc["kind"] in ("Deployment", "Job"):
            yield name, doc["spec"]["template"]["spec"]
        elif doc["kind"] == "CronJob":
            yield name, doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        elif doc["kind"] == "Pod":
            yield name, doc["spec"]


def app_pod_specs(docs: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The pod specs of workloads that run the project's own CLI."""
    return pod_specs(
        [
            doc
            for doc in docs
            if doc["metadata"]["labels"].get("app.kubernetes.io/component") not in THIRD_PARTY_COMPONENTS
        ]
    )


def all_containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def test_helm_chart_lints_and_renders_valid_kubernetes_objects(chart: Chart, helm: str) -> None:
    assert {path.name for path in chart.values_files} >= {"default-values.yaml", "production-values.yaml"}
    for values in chart.values_files:
        linted = run(
            helm, "lint", "--strict", chart.path, "--values", values, "--kube-version", KUBERNETES_VERSION
        )
        assert linted.returncode == 0, linted.stdout + linted.stderr
        docs = rendered(helm, chart.path, values)
        for doc in docs:
            try:
                kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
            except kubernetes_validate.ValidationError as error:
                pytest.fail(f"{values.name}: {doc['kind']}/{doc['metadata']['name']}: {error.message}")
        for name, spec in pod_specs(docs):
            assert spec["securityContext"]["runAsNonRoot"] is True, name
            assert spec["automountServiceAccountToken"] is False, name
            for container in all_containers(spec):
                assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
                assert container["securityContext"]["allowPrivilegeEscalation"] is False, name


def test_helm_chart_runs_every_component_with_probes_and_a_safe_rollout(
    chart: Chart, chart_combo: dict[str, str], helm: str
) -> None:
    docs = rendered(helm, chart.path, chart.path / "ci" / "default-values.yaml")
    by_name = {f"{doc['kind']}/{doc['metadata']['name']}": doc for doc in docs}
    prefix = f"release-{chart.path.name}"
    api_deployment = by_name[f"Deployment/{prefix}-api"]["spec"]
    api_pod = api_deployment["template"]["spec"]
    [api] = api_pod["containers"]
    assert api["args"] == ["serve", "--no-migrate"], "the init container owns migrations"
    [migrate] = api_pod["initContainers"]
    assert migrate["args"] == ["db", "upgrade"]
    assert api["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert api["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    # An upgrade drops nothing: surge first, keep serving while endpoints update, drain politely.
    assert api_deployment["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}
    assert api["lifecycle"]["preStop"]["sleep"]["seconds"] > 0
    assert api_pod["terminationGracePeriodSeconds"] > api["lifecycle"]["preStop"]["sleep"]["seconds"]
    budget = by_name[f"PodDisruptionBudget/{prefix}-api"]["spec"]
    assert budget["minAvailable"] == 1
    assert budget["selector"]["matchLabels"] == api_deployment["selector"]["matchLabels"]
    assert not any(doc["kind"] == "Job" for doc in docs), "no hook Job: helm install --wait needs none"
    cronjob = by_name[f"CronJob/{prefix}-pipeline"]["spec"]
    assert cronjob["concurrencyPolicy"] == "Forbid"
    assert cronjob["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"] == ["pipeline", "run"]
    # The chart's own MLflow server, which the app finds with no value set.
    [config_map] = [doc for doc in docs if doc["kind"] == "ConfigMap"]
    assert config_map["data"]["MLFLOW_TRACKING_URI"] == f"http://{prefix}-mlflow:5000"
    mlflow_pod = by_name[f"Deployment/{prefix}-mlflow"]["spec"]["template"]["spec"]
    [mlflow] = mlflow_pod["containers"]
    assert mlflow["command"] == ["mlflow"]
    assert "--serve-artifacts" in mlflow["args"]
    storage = "s3://mlflow" if chart_combo["object_storage"] == "minio" else "/app/var/mlartifacts"
    assert f"--artifacts-destination={storage}" in mlflow["args"]
    assert (f"PersistentVolumeClaim/{prefix}-mlflow-artifacts" in by_name) == (storage.startswith("/"))
    assert f"Service/{prefix}-mlflow" in by_name
    test_pod = by_name[f"Pod/{prefix}-test-connection"]
    assert test_pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    assert (f"Deployment/{prefix}-dashboard" in by_name) == (chart_combo["dashboard"] == "streamlit")
    production = rendered(helm, chart.path, chart.path / "ci" / "production-values.yaml")
    kinds = {doc["kind"] for doc in production}
    assert {"HorizontalPodAutoscaler", "Ingress"} <= kinds
    assert "Secret" not in kinds, "existingSecret replaces the chart's own Secret"
    api_spec = next(
        d for d in production if d["kind"] == "Deployment" and d["metadata"]["name"].endswith("-api")
    )
    assert "replicas" not in api_spec["spec"], "the autoscaler owns the replica count"
    assert not any(doc["metadata"]["name"].endswith("-mlflow") for doc in production), "MLflow is theirs"
    minimal = rendered(helm, chart.path, chart.path / "ci" / "minimal-values.yaml")
    # One replica: a budget of one would block every node drain.
    assert "PodDisruptionBudget" not in {doc["kind"] for doc in minimal}


def test_helm_schema_rejects_unknown_keys_and_missing_secrets(chart: Chart, helm: str) -> None:
    values = str(chart.path / "ci" / "default-values.yaml")
    for unknown in ("replicas=3", "api.replicas=3", "config.databaseUrl=x", "secrets.password=x"):
        result = helm_template(helm, chart.path, "--values", values, "--set", unknown)
        assert result.returncode != 0, f"--set {unknown} was accepted"
        assert "additional properties" in result.stderr, result.stderr
    missing = helm_template(helm, chart.path)
    assert missing.returncode != 0
    assert "secrets.databaseUrl is required (or set secrets.existingSecret)" in missing.stderr


def test_helm_values_comments_name_settings_fields(chart: Chart, chart_project: Path) -> None:
    contract = settings_contract(chart_project, chart_project.name.replace("-", "_"))
    text = (chart.path / "values.yaml").read_text(encoding="utf-8")
    named = set(re.findall(r"# -- ([A-Z][A-Z0-9_]+):", text))
    assert named, "values.yaml names the environment variable of each config/secrets value"
    assert named <= contract.fields, f"values name variables Settings lacks: {named - contract.fields}"


# ---------------------------------------------------------------- the settings contract


def compose_app_environments(project: Path) -> dict[str, set[str]]:
    return {
        name: set(service.get("environment", {}))
        for name, service in app_services(compose_model(project)).items()
    }


def helm_app_environments(helm: str, chart: Path) -> dict[str, set[str]]:
    docs = rendered(helm, chart, chart / "ci" / "default-values.yaml")
    config_maps = {doc["metadata"]["name"]: set(doc["data"]) for doc in docs if doc["kind"] == "ConfigMap"}
    environments = {}
    for name, spec in app_pod_specs([doc for doc in docs if doc["kind"] in APP_WORKLOAD_KINDS]):
        for container in all_containers(spec):
            names = {variable["name"] for variable in container.get("env", [])}
            for source in container.get("envFrom", []):
                names |= config_maps[source["configMapRef"]["name"]]
            environments[f"{name}/{container['name']}"] = names
    return environments


def test_compose_and_helm_pass_only_settings_fields_and_every_required_one(
    project: Path, combo: dict[str, str], helm: str
) -> None:
    contract = settings_contract(project, combo.get("package_name", project.name.replace("-", "_")))
    assert {"DATABASE_URL", "OIDC_CLIENT_SECRET", "SESSION_SECRET"} <= contract.required
    environments = {f"compose:{name}": names for name, names in compose_app_environments(project).items()}
    if combo["deployment"] == "compose-and-helm":
        chart = project / "charts" / project.name
        environments |= {f"helm:{name}": names for name, names in helm_app_environments(helm, chart).items()}
        assert any(name.startswith("helm:") for name in environments)
    for where, names in environments.items():
        assert names - contract.fields == set(), f"{where} passes variables Settings lacks"
        assert contract.required - names == set(), f"{where} lacks required settings"
        assert "ENVIRONMENT" in names, where
