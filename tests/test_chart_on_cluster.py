"""The default project's Helm chart on a real single-node Kubernetes, built here (tests/infra).

The whole solution is installed into a namespace enforcing PodSecurity `restricted`: API,
dashboard, pipeline CronJob and the chart's own MLflow server, on PostgreSQL, MinIO and Keycloak
running beside it in the cluster (tests/cluster/deps.yaml). In file order: `helm install --wait`,
the pipeline as a Job created from the CronJob, `helm test`, predictions with a real token
through the API Service, `helm upgrade` to a new image tag under load with no failed request,
and `helm uninstall` leaving nothing. Host traffic goes only to 127.0.0.1 (port-forwards).
Run alone with `make test-k8s`; the cluster's and pods' logs stay in the test's tmp dir.
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
    APP_NAMESPACE,
    DEPS_NAMESPACE,
    KEYCLOAK_HOST,
    RELEASE,
    STANDINS,
    Solution,
    build_images,
    deploy_deps,
    install_values,
    kubectl,
    new_solution,
    restricted_namespace,
    retag,
)
from tests.infra.cluster import Cluster, running_cluster
from tests.keycloak import Keycloak
from tests.stack import DOCKER, MODELS, call, example_records_code, infra_built, wait_until

pytestmark = [pytest.mark.install, pytest.mark.k8s]

TAG, NEW_TAG = "0.1.0", "0.1.1"
CLIENTS = 4


def helm_binary() -> str:
    from tests.test_deployment_files import _go_tool

    return _go_tool("install_helm.sh", "HELM")


@pytest.fixture(scope="module")
def solution(tmp_path_factory: pytest.TempPathFactory) -> Solution:
    infra_built("docker.sh", "images.sh", "k8s.sh")
    solution = new_solution(bake("cookiecutter", default_answers(), tmp_path_factory.mktemp("cluster")))
    build_images(solution, TAG)
    return solution


@pytest.fixture(scope="module")
def cluster(
    solution: Solution, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Cluster]:
    workdir = tmp_path_factory.mktemp("cluster-run")
    started = time.monotonic()
    with running_cluster(workdir) as cluster:
        print(f"cluster up (node Ready, CoreDNS available): {time.monotonic() - started:.0f} s")
        started = time.monotonic()
        cluster.load_images(*STANDINS, solution.image(TAG), solution.api_image(TAG))
        print(f"images loaded into containerd: {time.monotonic() - started:.0f} s")
        deploy_deps(cluster, solution)
        restricted_namespace(cluster, APP_NAMESPACE)
        try:
            yield cluster
        finally:
            if request.session.testsfailed:
                keep_logs(cluster, workdir)


def keep_logs(cluster: Cluster, workdir: Path) -> None:
    for namespace in (APP_NAMESPACE, DEPS_NAMESPACE):
        described = cluster.kubectl_run("describe", "pods", "-n", namespace)
        logs = [described.stdout, described.stderr]
        for pod in cluster.kubectl_run("get", "pods", "-n", namespace, "-o", "name").stdout.split():
            logs.append(
                cluster.kubectl_run("logs", pod, "-n", namespace, "--all-containers", "--prefix").stdout
            )
        (workdir / f"pods-{namespace}.txt").write_text("\n".join(logs))
    print(f"cluster and pod logs kept in {workdir}")


@pytest.fixture(scope="module")
def helm(cluster: Cluster) -> Any:
    binary = helm_binary()

    def run(*args: str, timeout: float = 900) -> str:
        result = subprocess.run(
            [binary, "--kubeconfig", str(cluster.kubeconfig), "--namespace", APP_NAMESPACE, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, f"helm {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    return run


@pytest.fixture(scope="module")
def chart(solution: Solution) -> Path:
    return solution.project / "charts" / solution.slug


@pytest.fixture(scope="module")
def api_port(cluster: Cluster, solution: Solution) -> Iterator[int]:
    """The API Service on 127.0.0.1 (a port-forward, pinned to one pod while it lives)."""
    with cluster.port_forward(APP_NAMESPACE, f"service/{solution.fullname}-api", 8000) as port:
        yield port


@pytest.fixture(scope="module")
def machine_token(cluster: Cluster, solution: Solution) -> str:
    """A client-credentials token from the cluster's Keycloak, issued for its Service name."""
    with cluster.port_forward(DEPS_NAMESPACE, "service/keycloak", 8080) as port:
        provider = Keycloak(url=f"http://127.0.0.1:{port}", admin_password="", host=KEYCLOAK_HOST)
        form = {
            "grant_type": "client_credentials",
            "client_id": f"{solution.slug}-machine",
            "client_secret": solution.secrets["oidc_machine_client_secret"],
        }
        return str(provider.token(solution.slug, form)["access_token"])


def app_pods(cluster: Cluster, component: str) -> list[dict[str, Any]]:
    selector = f"app.kubernetes.io/instance={RELEASE},app.kubernetes.io/component={component}"
    listed = json.loads(kubectl(cluster, "get", "pods", "-n", APP_NAMESPACE, "-l", selector, "-o", "json"))
    pods: list[dict[str, Any]] = listed["items"]
    return pods


def test_helm_install_wait_brings_up_the_solution_under_restricted_pod_security(
    cluster: Cluster, helm: Any, chart: Path, solution: Solution, tmp_path: Path
) -> None:
    values = install_values(solution, tmp_path / "values.yaml")
    started = time.monotonic()
    helm("install", RELEASE, str(chart), "--values", str(values), "--wait", "--timeout", "10m")
    print(f"helm install --wait: {time.monotonic() - started:.0f} s")
    for component in ("api", "dashboard", "mlflow"):
        pods = app_pods(cluster, component)
        assert pods, f"no {component} pod"
        assert all(pod["status"]["phase"] == "Running" for pod in pods), component
    # The API is ready before any model exists: degraded, saying why, not holding the install.
    migrate = app_pods(cluster, "api")[0]["status"]["initContainerStatuses"][0]
    assert migrate["name"] == "db-migrate"
    assert migrate["state"]["terminated"]["exitCode"] == 0


def test_the_pipeline_job_from_the_cronjob_registers_both_champions(
    cluster: Cluster, solution: Solution, api_port: int
) -> None:
    job = "pipeline-now"
    status, report = call("GET", f"http://127.0.0.1:{api_port}/health/ready")
    assert status == 200, report
    assert report["degraded"] is True, report
    assert all(model["champion"] is False for model in report["models"].values()), report
    started = time.monotonic()
    kubectl(
        cluster, "create", "job", job, f"--from=cronjob/{solution.fullname}-pipeline", "-n", APP_NAMESPACE
    )
    kubectl(
        cluster,
        "wait",
        f"job/{job}",
        "-n",
        APP_NAMESPACE,
        "--for=condition=Complete",
        "--timeout=900s",
        timeout=960,
    )
    print(f"pipeline Job: {time.monotonic() - started:.0f} s")
    wait_until(
        lambda: (
            (answer := call("GET", f"http://127.0.0.1:{api_port}/health/ready"))[0] == 200
            and not answer[1]["degraded"]
        ),
        "the API serving both champions",
    )


def test_helm_test_passes(helm: Any) -> None:
    output = helm("test", RELEASE, "--timeout", "5m")
    assert "Phase:          Succeeded" in output, output


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


def test_helm_upgrade_to_a_new_image_under_load_fails_no_request(
    cluster: Cluster, helm: Any, chart: Path, solution: Solution, machine_token: str
) -> None:
    retag(solution, TAG, NEW_TAG)
    cluster.load_images(solution.image(NEW_TAG), solution.api_image(NEW_TAG))
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
            helm(
                "upgrade",
                RELEASE,
                str(chart),
                "--reuse-values",
                "--set",
                f"image.tag={NEW_TAG}",
                "--wait",
                "--timeout",
                "10m",
            )
            print(f"helm upgrade --wait: {time.monotonic() - started:.0f} s")
            time.sleep(3)
        finally:
            stop.set()
            for thread in clients:
                thread.join()
    print(f"requests during the upgrade, {CLIENTS} clients: {dict(outcomes)}")
    assert outcomes["200"] > 0
    assert set(outcomes) == {"200"}, f"failed requests during the upgrade: {dict(outcomes)}"
    images = {
        container["image"] for pod in app_pods(cluster, "api") for container in pod["spec"]["containers"]
    }
    assert images == {solution.api_image(NEW_TAG)}


def test_helm_uninstall_leaves_nothing_behind(cluster: Cluster, helm: Any) -> None:
    helm("uninstall", RELEASE, "--wait", "--timeout", "5m")
    kinds = "all,configmap,secret,pvc,networkpolicy,poddisruptionbudget,serviceaccount,job,cronjob"

    def leftovers() -> list[str]:
        names = kubectl(cluster, "get", kinds, "-n", APP_NAMESPACE, "-o", "name").split()
        # What every namespace has: its CA bundle and default service account.
        return [
            name for name in names if name not in ("configmap/kube-root-ca.crt", "serviceaccount/default")
        ]

    wait_until(lambda: not leftovers(), "the release's objects (the pipeline Job too) gone", timeout=120)


def example_records(solution: Solution, model: str) -> list[dict[str, Any]]:
    """The model's own example rows, read inside the API's image."""
    code = example_records_code(solution.database, model)
    run = [DOCKER, "run", "--rm", "--entrypoint", "python", solution.api_image(TAG), "-c", code]
    out = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    loaded: list[dict[str, Any]] = json.loads(out.strip().splitlines()[-1])
    return loaded
