"""The default project's Helm chart on a real single-node Kubernetes, built here (tests/infra).

The project's own `scripts/chart_ci.sh`, which its GitHub workflow runs on kind, installs the
whole solution into a namespace enforcing PodSecurity `restricted`: API, dashboard, pipeline
CronJob and the chart's own MLflow server, beside PostgreSQL, MinIO and Keycloak from its
deploy/kind/ (played by the stand-in images). In file order: `helm install --wait`, the
pipeline as a Job from the CronJob, `helm test`, predictions with a real token through the API
Service, the project's smoke Job, `helm upgrade` to a new image tag under load with no failed
request, and `helm uninstall` leaving nothing. Host traffic goes only to 127.0.0.1
(port-forwards). Run alone with `make test-k8s`; on failure the pods' logs stay in the tmp dir.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.baking import bake, default_answers
from tests.cluster.solution import (
    DEPS_NAMESPACE,
    KEYCLOAK_HOST,
    PYTHON_STANDIN,
    Solution,
    build_images,
    chart_ci,
    deploy_relay,
    kubectl,
    official_images,
    retag,
)
from tests.infra.cluster import Cluster, running_cluster
from tests.keycloak import Keycloak
from tests.stack import DOCKER, MODELS, call, example_records_code, infra_built, wait_until

pytestmark = [pytest.mark.install, pytest.mark.k8s]

TAG, NEW_TAG = "ci", "ci-next"
CLIENTS = 4


@pytest.fixture(scope="module")
def solution(tmp_path_factory: pytest.TempPathFactory) -> Solution:
    infra_built("docker.sh", "images.sh", "k8s.sh")
    solution = Solution(bake("cookiecutter", default_answers(), tmp_path_factory.mktemp("cluster")))
    build_images(solution, TAG)
    return solution


@pytest.fixture(scope="module")
def helm() -> str:
    from tests.test_deployment_files import _go_tool

    return _go_tool("install_helm.sh", "HELM")


@pytest.fixture(scope="module")
def cluster(
    solution: Solution, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Cluster]:
    workdir = tmp_path_factory.mktemp("cluster-run")
    started = time.monotonic()
    with running_cluster(workdir) as cluster:
        print(f"cluster up (node Ready, CoreDNS available): {time.monotonic() - started:.0f} s")
        started = time.monotonic()
        images = [PYTHON_STANDIN, *official_images(solution), solution.image(TAG), solution.api_image(TAG)]
        cluster.load_images(*images)
        print(f"{len(images)} images loaded into containerd: {time.monotonic() - started:.0f} s")
        try:
            yield cluster
        finally:
            if request.session.testsfailed:
                keep_logs(cluster, solution, workdir)


def keep_logs(cluster: Cluster, solution: Solution, workdir: Path) -> None:
    for namespace in (solution.slug, DEPS_NAMESPACE):
        described = cluster.kubectl_run("describe", "pods", "-n", namespace)
        logs = [described.stdout, described.stderr]
        for pod in cluster.kubectl_run("get", "pods", "-n", namespace, "-o", "name").stdout.split():
            logs.append(
                cluster.kubectl_run("logs", pod, "-n", namespace, "--all-containers", "--prefix").stdout
            )
        (workdir / f"pods-{namespace}.txt").write_text("\n".join(logs))
    print(f"cluster and pod logs kept in {workdir}")


@pytest.fixture(scope="module")
def api_port(cluster: Cluster, solution: Solution) -> Iterator[int]:
    """The API Service on 127.0.0.1 (a port-forward, pinned to one pod while it lives)."""
    with cluster.port_forward(solution.slug, f"service/{solution.slug}-api", 8000) as port:
        yield port


@pytest.fixture(scope="module")
def machine_token(cluster: Cluster, solution: Solution) -> str:
    """A client-credentials token from the cluster's Keycloak, issued for its Service name."""
    with cluster.port_forward(DEPS_NAMESPACE, "service/keycloak", 8080) as port:
        provider = Keycloak(url=f"http://127.0.0.1:{port}", admin_password="", host=KEYCLOAK_HOST)
        form = {
            "grant_type": "client_credentials",
            "client_id": f"{solution.slug}-machine",
            "client_secret": solution.secrets["OIDC_MACHINE_CLIENT_SECRET"],
        }
        return str(provider.token(solution.slug, form)["access_token"])


def app_pods(cluster: Cluster, solution: Solution, component: str) -> list[dict[str, Any]]:
    selector = f"app.kubernetes.io/instance={solution.slug},app.kubernetes.io/component={component}"
    listed = json.loads(kubectl(cluster, "get", "pods", "-n", solution.slug, "-l", selector, "-o", "json"))
    pods: list[dict[str, Any]] = listed["items"]
    return pods


def test_helm_install_wait_brings_up_the_solution_under_restricted_pod_security(
    cluster: Cluster, solution: Solution, helm: str
) -> None:
    chart_ci(cluster, solution, helm, "install", TAG)  # prints the helm install --wait time
    labels = json.loads(kubectl(cluster, "get", "namespace", solution.slug, "-o", "json"))["metadata"][
        "labels"
    ]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    for component in ("api", "dashboard", "mlflow"):
        pods = app_pods(cluster, solution, component)
        assert pods, f"no {component} pod"
        assert all(pod["status"]["phase"] == "Running" for pod in pods), component
    migrate = app_pods(cluster, solution, "api")[0]["status"]["initContainerStatuses"][0]
    assert migrate["name"] == "db-migrate"
    assert migrate["state"]["terminated"]["exitCode"] == 0


def test_the_api_is_ready_but_degraded_before_the_first_training(api_port: int) -> None:
    status, report = call("GET", f"http://127.0.0.1:{api_port}/health/ready")
    assert status == 200, report
    assert report["degraded"] is True, report
    assert all(model["champion"] is False for model in report["models"].values()), report


def test_the_pipeline_job_from_the_cronjob_registers_both_champions(
    cluster: Cluster, solution: Solution, helm: str, api_port: int
) -> None:
    chart_ci(cluster, solution, helm, "pipeline")  # prints the Job's time
    status, report = call("GET", f"http://127.0.0.1:{api_port}/health/ready")
    assert status == 200, report
    assert report["degraded"] is False, report


def test_helm_test_passes(cluster: Cluster, solution: Solution, helm: str) -> None:
    result = subprocess.run(
        [
            helm,
            "--kubeconfig",
            str(cluster.kubeconfig),
            "test",
            solution.slug,
            "-n",
            solution.slug,
            "--timeout",
            "5m",
        ],
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Succeeded" in result.stdout, result.stdout


def test_a_real_token_predicts_each_model_through_the_service(
    solution: Solution, api_port: int, machine_token: str
) -> None:
    url = f"http://127.0.0.1:{api_port}/v1/models"
    for model in MODELS:
        records = example_records(solution, model)
        status, answer = call(
            "POST", f"{url}/{model}/predict", body={"records": records}, bearer=machine_token
        )
        assert status == 200, answer
        assert len(answer["predictions"]) == len(records)
        assert call("POST", f"{url}/{model}/predict", body={"records": records})[0] == 401


def test_the_projects_smoke_job_passes_in_the_cluster(
    cluster: Cluster, solution: Solution, helm: str
) -> None:
    output = chart_ci(cluster, solution, helm, "smoke", TAG)
    for model in MODELS:
        assert f"{model} without a token: 401" in output


def test_helm_upgrade_to_a_new_image_under_load_fails_no_request(
    cluster: Cluster, solution: Solution, helm: str, machine_token: str
) -> None:
    retag(solution, TAG, NEW_TAG)
    cluster.load_images(solution.image(NEW_TAG), solution.api_image(NEW_TAG))
    deploy_relay(cluster, solution)
    model = MODELS[0]
    body = {"records": example_records(solution, model)[:1]}
    outcomes: Counter[str] = Counter()
    stop = threading.Event()
    # Through the relay pod: each request a new connection, through the Service to a ready pod.
    with cluster.port_forward(DEPS_NAMESPACE, "deployment/relay", 8000) as port:
        url = f"http://127.0.0.1:{port}/v1/models/{model}/predict"

        def client() -> None:
            while not stop.is_set():
                try:
                    status, _ = call("POST", url, body=body, bearer=machine_token)
                    outcomes[str(status)] += 1
                except OSError as error:
                    outcomes[type(error).__name__] += 1

        clients = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in clients:
            thread.start()
        try:
            time.sleep(3)
            started = time.monotonic()
            chart_ci(cluster, solution, helm, "install", NEW_TAG)
            print(f"helm upgrade --wait to {NEW_TAG}: {time.monotonic() - started:.0f} s")
            # Load goes on until the old pods are gone: their preStop wait and drain included.
            wait_until(
                lambda: api_images(cluster, solution) == {solution.api_image(NEW_TAG)}, "old API pods gone"
            )
            print(f"until the last old pod was gone: {time.monotonic() - started:.0f} s")
        finally:
            stop.set()
            for thread in clients:
                thread.join()
    print(f"requests during the upgrade, {CLIENTS} clients: {dict(outcomes)}")
    assert outcomes["200"] > 0
    assert set(outcomes) == {"200"}, f"failed requests during the upgrade: {dict(outcomes)}"


def api_images(cluster: Cluster, solution: Solution) -> set[str]:
    """The images of every API pod, terminating ones included."""
    pods = app_pods(cluster, solution, "api")
    return {container["image"] for pod in pods for container in pod["spec"]["containers"]}


def test_helm_uninstall_leaves_nothing_behind(cluster: Cluster, solution: Solution, helm: str) -> None:
    uninstall = [
        helm,
        "--kubeconfig",
        str(cluster.kubeconfig),
        "uninstall",
        solution.slug,
        "-n",
        solution.slug,
    ]
    subprocess.run([*uninstall, "--wait", "--timeout", "5m"], check=True, capture_output=True, timeout=400)
    kinds = "all,configmap,secret,pvc,networkpolicy,poddisruptionbudget,serviceaccount,job,cronjob"

    def leftovers() -> list[str]:
        names = kubectl(cluster, "get", kinds, "-n", solution.slug, "-o", "name").split()
        # What every namespace has (its CA bundle and default service account), and the Secret
        # scripts/chart_ci.sh made from .env, which the release only read.
        kept = ("configmap/kube-root-ca.crt", "serviceaccount/default", f"secret/{solution.slug}-secrets")
        return [name for name in names if name not in kept]

    wait_until(lambda: not leftovers(), "the release's objects (the pipeline Job too) gone", timeout=120)
    # The script's own clean-up takes the rest: its services, the Secret and both namespaces.
    chart_ci(cluster, solution, helm, "uninstall")
    namespaces = kubectl(cluster, "get", "namespaces", "-o", "name").split()
    assert not {f"namespace/{solution.slug}", f"namespace/{DEPS_NAMESPACE}"} & set(namespaces)


def example_records(solution: Solution, model: str) -> list[dict[str, Any]]:
    """The model's own example rows, read inside the API's image."""
    code = example_records_code(solution.database, model)
    run = [DOCKER, "run", "--rm", "--entrypoint", "python", solution.api_image(TAG), "-c", code]
    out = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    loaded: list[dict[str, Any]] = json.loads(out.strip().splitlines()[-1])
    return loaded
