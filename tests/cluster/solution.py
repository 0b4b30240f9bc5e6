"""A generated default project on the test cluster: its images, the third-party services it
expects (deps.yaml, namespace `deps`) and the values of its `helm install`.

The values are what a user gives: the secrets, where PostgreSQL, S3 and the OIDC provider are.
Nothing names the MLflow server: the chart runs its own and the app finds it.
"""

from __future__ import annotations

import secrets
import string
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.infra.cluster import Cluster
from tests.stack import DOCKER

HERE = Path(__file__).resolve().parent
DEPS_NAMESPACE = "deps"
APP_NAMESPACE = "app"
RELEASE = "solution"
# The issuer the API checks: Keycloak's Service name, which the host's token requests send as
# their Host header through the port-forward.
KEYCLOAK_HOST = f"keycloak.{DEPS_NAMESPACE}:8080"
MINIO_IMAGE = "standin/minio:7aac2a2c5b7c"
STANDINS = ("python:3.11-slim", "standin/postgres:15", "standin/keycloak:26.4.7", MINIO_IMAGE)


@dataclass(frozen=True)
class Solution:
    project: Path
    secrets: dict[str, str]

    @property
    def slug(self) -> str:
        return self.project.name

    @property
    def database(self) -> str:
        return self.slug.replace("-", "_")

    @property
    def fullname(self) -> str:
        """The chart's resource name prefix for release RELEASE."""
        return f"{RELEASE}-{self.slug}"

    def image(self, tag: str) -> str:
        return f"{self.slug}:{tag}"

    def api_image(self, tag: str) -> str:
        return f"{self.slug}-api:{tag}"


def new_solution(project: Path) -> Solution:
    names = (
        "postgres_password",
        "minio_password",
        "keycloak_admin_password",
        "oidc_client_secret",
        "oidc_machine_client_secret",
        "session_secret",
    )
    return Solution(project=project, secrets={name: secrets.token_urlsafe(24) for name in names})


def build_images(solution: Solution, tag: str) -> None:
    """Both images, as `make image` builds them (docker/Dockerfile targets `api` and `app`)."""
    for target, image in (("api", solution.api_image(tag)), ("app", solution.image(tag))):
        started = time.monotonic()
        subprocess.run(
            [
                DOCKER,
                "build",
                "--quiet",
                "--target",
                target,
                "--tag",
                image,
                "--file",
                "docker/Dockerfile",
                ".",
            ],
            cwd=solution.project,
            check=True,
            capture_output=True,
            env={"DOCKER_BUILDKIT": "1", "PATH": "/usr/bin:/bin"},
            timeout=1800,
        )
        print(f"docker build --target {target}: {time.monotonic() - started:.0f} s")


def retag(solution: Solution, old: str, new: str) -> None:
    for image in (solution.image, solution.api_image):
        subprocess.run([DOCKER, "tag", image(old), image(new)], check=True)


def kubectl(cluster: Cluster, *args: str, stdin: str | None = None, timeout: float = 300) -> str:
    result = cluster.kubectl_run(*args, stdin=stdin, timeout=timeout)
    assert result.returncode == 0, f"kubectl {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def deploy_deps(cluster: Cluster, solution: Solution) -> None:
    """PostgreSQL (with the project's init script), Keycloak (its realm), MinIO and the relay."""
    kubectl(cluster, "create", "namespace", DEPS_NAMESPACE)
    files = {
        "postgres-init": solution.project / "deploy" / "postgres" / "init-databases.sh",
        "keycloak-realm": solution.project / "deploy" / "keycloak" / "realm.json",
        "relay": HERE / "relay.py",
    }
    for name, path in files.items():
        kubectl(cluster, "create", "configmap", name, "-n", DEPS_NAMESPACE, f"--from-file={path}")
    manifest = string.Template((HERE / "deps.yaml").read_text()).substitute(
        solution.secrets,
        database=solution.database,
        minio_image=MINIO_IMAGE,
        api_service=f"{solution.fullname}-api.{APP_NAMESPACE}",
    )
    kubectl(cluster, "apply", "-f", "-", stdin=manifest)
    started = time.monotonic()
    for name in ("postgres", "minio", "keycloak"):
        kubectl(cluster, "rollout", "status", f"deployment/{name}", "-n", DEPS_NAMESPACE, "--timeout=300s")
    kubectl(
        cluster,
        "wait",
        "job/minio-bucket",
        "-n",
        DEPS_NAMESPACE,
        "--for=condition=Complete",
        "--timeout=300s",
    )
    print(f"PostgreSQL, MinIO and Keycloak ready in the cluster: {time.monotonic() - started:.0f} s")


def restricted_namespace(cluster: Cluster, name: str) -> None:
    kubectl(cluster, "create", "namespace", name)
    for mode in ("enforce", "warn", "audit"):
        kubectl(cluster, "label", "namespace", name, f"pod-security.kubernetes.io/{mode}=restricted")


def small(cpu: str, memory: str, cpu_limit: str = "1", memory_limit: str = "1536Mi") -> dict[str, Any]:
    """Requests that fit every pod and a rolling upgrade's surge on 2 cores."""
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"cpu": cpu_limit, "memory": memory_limit}}


def install_values(solution: Solution, path: Path) -> Path:
    """A user's values file: secrets, and where PostgreSQL, S3 and the OIDC provider live."""
    secret = solution.secrets
    postgres = f"postgresql+psycopg://{solution.database}:{secret['postgres_password']}@postgres.{DEPS_NAMESPACE}:5432"
    values = {
        "secrets": {
            "databaseUrl": f"{postgres}/{solution.database}",
            "mlflowBackendStoreUri": f"{postgres}/mlflow",
            "oidcClientSecret": secret["oidc_client_secret"],
            "sessionSecret": secret["session_secret"],
            "awsSecretAccessKey": secret["minio_password"],
        },
        "config": {
            "oidcIssuerUrl": f"http://{KEYCLOAK_HOST}/realms/{solution.slug}",
            "mlflowS3EndpointUrl": f"http://minio.{DEPS_NAMESPACE}:9000",
            "awsAccessKeyId": solution.database,
            # The API notices the pipeline's new champions within seconds.
            "modelPollSeconds": 5,
        },
        "api": {"resources": small("100m", "256Mi")},
        "dashboard": {"resources": small("50m", "256Mi")},
        "mlflow": {"resources": small("100m", "256Mi")},
        "pipeline": {"resources": small("200m", "512Mi", "2", "2Gi")},
        "migrations": {"resources": small("50m", "128Mi", "500m", "512Mi")},
    }
    path.write_text(yaml.safe_dump(values))
    return path
