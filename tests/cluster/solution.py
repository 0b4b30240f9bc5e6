"""A generated default project on the test cluster, installed by its own `scripts/chart_ci.sh`
(what its GitHub workflow runs on kind): the stand-in images take the official names its
deploy/kind/ manifests use, so the user's files run unchanged.
"""

from __future__ import annotations

import os
import re
import string
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.baking import env_file
from tests.infra.cluster import Cluster
from tests.stack import DOCKER

HERE = Path(__file__).resolve().parent
# scripts/chart_ci.sh's namespaces: the services, and the release (named like the project).
DEPS_NAMESPACE = "ci-dependencies"
# The issuer the API checks is Keycloak's Service name; the host's token requests send it as
# their Host header through the port-forward.
KEYCLOAK_HOST = f"keycloak.{DEPS_NAMESPACE}:8080"
# The stand-in (tests/infra/images.sh) for each official image of deploy/kind/, by repository.
STANDIN_FOR = {
    "postgres": "standin/postgres:15",
    "minio": "standin/minio:7aac2a2c5b7c",
    "keycloak": "standin/keycloak:26.4.7",
}
PYTHON_STANDIN = "python:3.11-slim"


@dataclass(frozen=True)
class Solution:
    project: Path

    @property
    def slug(self) -> str:
        """The release, its namespace and the chart's resource prefix (scripts/chart_ci.sh)."""
        return self.project.name

    @property
    def database(self) -> str:
        return self.slug.replace("-", "_")

    @property
    def secrets(self) -> dict[str, str]:
        return env_file(self.project)

    def image(self, tag: str) -> str:
        return f"{self.slug}:{tag}"

    def api_image(self, tag: str) -> str:
        return f"{self.slug}-api:{tag}"


def build_images(solution: Solution, tag: str) -> None:
    """Both images, as the project's workflow builds them (docker/Dockerfile targets)."""
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
            env={**os.environ, "DOCKER_BUILDKIT": "1"},
            timeout=1800,
        )
        print(f"docker build --target {target}: {time.monotonic() - started:.0f} s")


def retag(solution: Solution, old: str, new: str) -> None:
    for image in (solution.image, solution.api_image):
        subprocess.run([DOCKER, "tag", image(old), image(new)], check=True)


def official_images(solution: Solution) -> list[str]:
    """The stand-ins tagged as the images deploy/kind/ names, so IfNotPresent finds them loaded."""
    names = set()
    for manifest in (solution.project / "deploy" / "kind").glob("*.yaml"):
        names |= set(re.findall(r"^\s+image: (\S+)$", manifest.read_text(), re.MULTILINE))
    names.discard("${API_IMAGE}")
    for name in names:
        repository = name.split(":")[0].rsplit("/", 1)[-1]
        subprocess.run([DOCKER, "tag", STANDIN_FOR[repository], name], check=True)
    return sorted(names)


def kubectl(cluster: Cluster, *args: str, stdin: str | None = None, timeout: float = 300) -> str:
    result = cluster.kubectl_run(*args, stdin=stdin, timeout=timeout)
    assert result.returncode == 0, f"kubectl {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def chart_ci(cluster: Cluster, solution: Solution, helm: str, *args: str, timeout: float = 1200) -> str:
    """The project's scripts/chart_ci.sh against the test cluster, with its output."""
    tools = f"{Path(helm).parent}:{cluster.kubectl.parent}"
    result = subprocess.run(
        ["bash", "scripts/chart_ci.sh", *args],
        cwd=solution.project,
        env={**os.environ, "PATH": f"{tools}:{os.environ['PATH']}", "KUBECONFIG": str(cluster.kubeconfig)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"scripts/chart_ci.sh {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    print(result.stdout)
    return result.stdout


def deploy_relay(cluster: Cluster, solution: Solution) -> None:
    kubectl(cluster, "create", "configmap", "relay", "-n", DEPS_NAMESPACE, f"--from-file={HERE / 'relay.py'}")
    manifest = string.Template((HERE / "relay.yaml").read_text()).substitute(
        api_service=f"{solution.slug}-api.{solution.slug}"
    )
    kubectl(cluster, "apply", "-n", DEPS_NAMESPACE, "-f", "-", stdin=manifest)
    kubectl(cluster, "rollout", "status", "deployment/relay", "-n", DEPS_NAMESPACE, "--timeout=120s")
