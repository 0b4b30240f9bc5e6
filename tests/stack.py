"""A generated project's Compose stack, for real, on the stand-in images of tests/infra.

Docker comes from Debian and the third-party images are built locally (tests/infra/docker.sh
and images.sh, cached); a CI-only override file swaps those images in and publishes every port
on 127.0.0.1. The host talks to 127.0.0.1 only; the services talk inside their Compose network.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.keycloak import HttpError, http_json

INFRA = Path(__file__).parent / "infra"
# Debian's docker.io client: a newer `docker` first on PATH may refuse BuildKit (no buildx).
DOCKER = "/usr/bin/docker"
MODELS = ("tumor-classifier", "disease-progression")
API_URL = "http://127.0.0.1:8000"
MLFLOW_URL = "http://127.0.0.1:5000"


def docker_with_standins() -> None:
    """Docker, Compose and the stand-in images, built or loaded from the cache, else a skip."""
    infra_built("docker.sh", "images.sh")


def infra_built(*scripts: str) -> None:
    """Runs tests/infra scripts (cached, idempotent); without root and apt-get, a skip, which
    under CI=true is a failure: CI must run what they give."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        reason = f"tests/infra/{', '.join(scripts)} install from Debian: they need root and apt-get"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; under CI=true they must run, not skip")
        pytest.skip(reason)
    for script in scripts:
        started = time.monotonic()
        result = subprocess.run(
            ["bash", str(INFRA / script)], capture_output=True, text=True, timeout=3600, check=False
        )
        assert result.returncode == 0, f"tests/infra/{script} failed:\n{result.stderr[-4000:]}"
        print(f"tests/infra/{script}: {time.monotonic() - started:.0f} s\n{result.stderr.strip()}")


@dataclass
class Stack:
    project: Path
    overrides: tuple[Path, ...]
    run_dir: Path  # logs and screenshots of a failed run
    # Compose's own environment on top of the project's .env (the image tags, the CI files' settings).
    env: dict[str, str] = field(default_factory=dict)

    @property
    def database(self) -> str:
        """The app database's name and owner (compose.yaml)."""
        return self.project.name.replace("-", "_")

    def compose(self, *args: str, timeout: float = 600) -> str:
        files = [part for override in self.overrides for part in ("-f", str(override))]
        result = subprocess.run(
            [DOCKER, "compose", "-f", "compose.yaml", *files, *args],
            cwd=self.project,
            env=os.environ | self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, (
            f"docker compose {' '.join(args)} exited {result.returncode}:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
        return result.stdout

    def psql(self, sql: str) -> str:
        return self.compose(
            "exec", "-T", "postgres", "psql", "-U", self.database, "-d", self.database, "-tAc", sql
        ).strip()

    def leftovers(self) -> list[str]:
        """Containers, volumes and networks still labelled with this Compose project."""
        label = f"label=com.docker.compose.project={self.project.name}"
        found = []
        for kind in (["ps", "-a"], ["volume", "ls"], ["network", "ls"]):
            listed = subprocess.run(
                [DOCKER, *kind, "-q", "--filter", label], capture_output=True, text=True, check=True
            )
            found += [f"{kind[0]} {name}" for name in listed.stdout.split()]
        return found

    def down(self) -> None:
        """`down -v`, the services' logs kept first in run_dir/compose.log (read them on failure)."""
        if any(item.startswith("ps ") for item in self.leftovers()):
            logs = self.compose("--profile", "*", "logs", "--no-color", "--timestamps")
            (self.run_dir / "compose.log").write_text(logs)
        # Every profile: a plain `down -v` keeps the volume of the pipeline job (profile pipeline).
        self.compose("--profile", "*", "down", "--volumes", "--remove-orphans", "--timeout", "20")


def image_megabytes(image: str) -> float:
    inspect = [DOCKER, "image", "inspect", "--format", "{{.Size}}", image]
    return int(subprocess.run(inspect, capture_output=True, text=True, check=True).stdout) / 1e6


@contextmanager
def running(stack: Stack, request: pytest.FixtureRequest) -> Iterator[Stack]:
    """The project's images built, its stack up and healthy; logs kept if a test failed; down -v."""
    started = time.monotonic()
    # Both images (the API's own and the full one), as the project's `make image` builds them.
    stack.compose("build", "--quiet", timeout=1800)
    print(f"docker compose build: {time.monotonic() - started:.0f} s")
    for variable in ("API_IMAGE", "APP_IMAGE"):
        print(f"{stack.env[variable]}: {image_megabytes(stack.env[variable]):.0f} MB")
    passed = False
    try:
        started = time.monotonic()
        stack.compose("up", "--detach", "--wait", "--no-build", timeout=900)
        print(f"docker compose up --detach --wait: {time.monotonic() - started:.0f} s")
        yield stack
        passed = not request.session.testsfailed
    finally:
        stack.down()
        if not passed:
            print(f"--- the services' logs are in {stack.run_dir / 'compose.log'}")


def call(
    method: str, url: str, *, body: object = None, bearer: str | None = None
) -> tuple[int, dict[str, Any]]:
    """Status and JSON of one request, errors included (a 4xx is an answer here, not a failure)."""
    try:
        return 200, http_json(method, url, body=body, bearer=bearer) or {}
    except HttpError as error:
        try:
            return error.status, json.loads(error.body)
        except json.JSONDecodeError:
            return error.status, {"body": error.body}


def predict(model: str, records: list[dict[str, Any]], token: str | None) -> tuple[int, dict[str, Any]]:
    return call("POST", f"{API_URL}/v1/models/{model}/predict", body={"records": records}, bearer=token)


def wait_until(check: Any, what: str, timeout: float = 180) -> Any:
    """`check()`'s first truthy answer, polled; connection errors count as not yet."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            if answer := check():
                return answer
        except (OSError, urllib.error.URLError) as error:
            last = error
        time.sleep(1)
    raise AssertionError(f"{what}: not within {timeout:.0f} s (last: {last})")


def readiness() -> dict[str, Any]:
    """The API's /health/ready report, whether ready (200) or not (503)."""
    return call("GET", f"{API_URL}/health/ready")[1]


def champion_versions() -> dict[str, str]:
    """Each model's `champion` alias in the stack's MLflow server (its REST API)."""
    versions = {}
    for model in MODELS:
        found = http_json(
            "GET", f"{MLFLOW_URL}/api/2.0/mlflow/registered-models/alias?name={model}&alias=champion"
        )
        versions[model] = found["model_version"]["version"]
    return versions


def example_records_code(package: str, model: str) -> str:
    """Python that prints the model's own example rows (exactly its input columns) as JSON."""
    module = model.replace("-", "_")
    return (
        f"import json; from {package}.models import {module} as m; "
        "print(json.dumps(m.example_data()[m.FEATURES].iloc[:3].to_dict(orient='records')))"
    )


def example_records(stack: Stack, model: str) -> list[dict[str, Any]]:
    """The model's own example rows, read inside the project's image."""
    code = example_records_code(stack.database, model)
    out = stack.compose("run", "--rm", "--no-deps", "--entrypoint", "python", "api", "-c", code)
    loaded: list[dict[str, Any]] = json.loads(out.strip().splitlines()[-1])
    return loaded


def pipeline_registers_both_champions(stack: Stack) -> None:
    started = time.monotonic()
    stack.compose("run", "--rm", "pipeline")
    print(f"docker compose run --rm pipeline: {time.monotonic() - started:.1f} s")
    assert set(champion_versions()) == set(MODELS)
    # The API polls the registry: it is ready once it serves both champions.
    wait_until(
        lambda: (report := readiness()).get("ready") and not report["degraded"],
        "the API serving both champions",
    )


def each_model_predicts_and_logs_a_row(
    stack: Stack, token: str, records_by_model: dict[str, list[dict[str, Any]]]
) -> None:
    """`token` predicts each model's example rows (200), and each request's row is in PostgreSQL."""
    for model in MODELS:
        records = records_by_model[model]
        logged = f"SELECT count(*) FROM prediction_log WHERE model_name = '{model}'"
        before = int(stack.psql(logged))
        status, answer = predict(model, records, token)
        assert status == 200, answer
        assert len(answer["predictions"]) == len(records)
        wait_until(lambda q=logged, n=before: int(stack.psql(q)) == n + 1, f"{model}'s row in PostgreSQL", 30)
    latencies = []
    for _ in range(30):  # the last model's first row, one request at a time
        started = time.monotonic()
        assert predict(model, records[:1], token)[0] == 200
        latencies.append((time.monotonic() - started) * 1000)
    print(f"predict from the host: median {statistics.median(latencies):.1f} ms, max {max(latencies):.1f} ms")
