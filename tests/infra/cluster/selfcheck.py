"""The cluster's self-check (`python -m tests.infra.cluster`): k8s.sh, docker.sh and images.sh
python, then a cluster with a web pod serving a file from its volume behind a Service in a namespace
enforcing PodSecurity `restricted`, a client pod fetching it by DNS name, a privileged pod refused,
a port-forward to the Service; nothing left on the host after the teardown. Prints the timings."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import tests.infra.cluster
from tests.infra.cluster.host import leftovers
from tests.infra.cluster.lifecycle import running_cluster
from tests.infra.cluster.settings import CLUSTER_DOMAIN, INFRA_DIR

SELF_CHECK_NAMESPACE = "cluster-self-check"
SELF_CHECK_IMAGE = "python:3.11-slim"
HELLO = "hello-from-a-volume"


def _self_check_manifests() -> tuple[str, str]:
    """The web pod and its Service (in a `restricted` namespace), and the client pod."""
    security = {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    pod_security = {"runAsNonRoot": True, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}}
    fetch = (
        "import socket, time, urllib.request\n"
        f"name = 'web.{SELF_CHECK_NAMESPACE}.svc.{CLUSTER_DOMAIN}'\n"
        "address = socket.gethostbyname(name)\n"
        "opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))\n"
        "for attempt in range(1, 61):\n"
        "    try:\n"
        "        body = opener.open(f'http://{name}:8000/hello.txt', timeout=10).read().decode()\n"
        "        break\n"
        "    except OSError as error:  # kube-proxy may not have the endpoint yet\n"
        "        print('attempt', attempt, error, flush=True)\n"
        "        time.sleep(0.5)\n"
        "print('resolved', address, 'fetched', repr(body.strip()), 'at attempt', attempt)\n"
    )
    objects: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": SELF_CHECK_NAMESPACE,
                "labels": {"pod-security.kubernetes.io/enforce": "restricted"},
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web", "namespace": SELF_CHECK_NAMESPACE, "labels": {"app": "web"}},
            "spec": {
                "securityContext": pod_security,
                "containers": [
                    {
                        "name": "web",
                        "image": SELF_CHECK_IMAGE,
                        "imagePullPolicy": "IfNotPresent",
                        # Serves a file it wrote on its volume (from the default StorageClass).
                        "command": [
                            "sh",
                            "-c",
                            f"echo {HELLO} > /data/hello.txt && exec python -m "
                            "http.server 8000 --directory /data",
                        ],
                        "ports": [{"containerPort": 8000}],
                        "readinessProbe": {"tcpSocket": {"port": 8000}, "periodSeconds": 1},
                        "securityContext": security,
                        "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                    }
                ],
                "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "web-data"}}],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "web-data", "namespace": SELF_CHECK_NAMESPACE},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web", "namespace": SELF_CHECK_NAMESPACE},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 8000, "targetPort": 8000}]},
        },
    ]
    client = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "client", "namespace": SELF_CHECK_NAMESPACE},
        "spec": {
            "restartPolicy": "Never",
            "securityContext": pod_security,
            "containers": [
                {
                    "name": "client",
                    "image": SELF_CHECK_IMAGE,
                    "imagePullPolicy": "IfNotPresent",
                    "command": ["python", "-c", fetch],
                    "securityContext": security,
                }
            ],
        },
    }
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}), json.dumps(client)


def _must(result: subprocess.CompletedProcess[str], what: str) -> str:
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def _timed_script(*argv: str) -> float:
    started = time.monotonic()
    subprocess.run(["bash", *argv], check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def self_check(workdir: Path) -> dict[str, float]:
    timings = {"k8s.sh": _timed_script(str(INFRA_DIR / "k8s.sh"))}
    timings["docker.sh + images.sh python"] = _timed_script(str(INFRA_DIR / "docker.sh")) + _timed_script(
        str(INFRA_DIR / "images.sh"), "python"
    )
    started = time.monotonic()
    with running_cluster(workdir) as cluster:
        timings["cluster start"] = time.monotonic() - started
        mark = time.monotonic()
        cluster.load_images(SELF_CHECK_IMAGE)
        timings["load_images python:3.11-slim"] = time.monotonic() - mark
        mark = time.monotonic()
        server, client = _self_check_manifests()
        _must(cluster.kubectl_run("apply", "--filename=-", stdin=server), "kubectl apply (web)")
        _must(
            cluster.kubectl_run(
                "wait", "-n", SELF_CHECK_NAMESPACE, "pod/web", "--for=condition=Ready", "--timeout=120s"
            ),
            "waiting for pod/web",
        )
        _must(cluster.kubectl_run("apply", "--filename=-", stdin=client), "kubectl apply (client)")
        _must(
            cluster.kubectl_run(
                "wait", "-n", SELF_CHECK_NAMESPACE, "pod/client", "--for=jsonpath={.status.phase}=Succeeded",
                "--timeout=120s",
            ),
            "waiting for pod/client to succeed",
        )  # fmt: skip
        logs = _must(cluster.kubectl_run("logs", "-n", SELF_CHECK_NAMESPACE, "client"), "kubectl logs client")
        service_ip = _must(
            cluster.kubectl_run(
                "get", "-n", SELF_CHECK_NAMESPACE, "service/web", "-o", "jsonpath={.spec.clusterIP}"
            ),
            "kubectl get service",
        )
        if f"resolved {service_ip} fetched '{HELLO}'" not in logs:
            raise RuntimeError(f"the client pod did not resolve {service_ip} and fetch {HELLO!r}: {logs}")
        print(f"client pod: {logs.strip()}", file=sys.stderr)
        privileged = {
            "name": "privileged",
            "image": SELF_CHECK_IMAGE,
            "securityContext": {"privileged": True},
        }
        refused = cluster.kubectl_run(
            "run", "privileged", "-n", SELF_CHECK_NAMESPACE, f"--image={SELF_CHECK_IMAGE}",
            "--dry-run=server", "--overrides", json.dumps({"spec": {"containers": [privileged]}}),
        )  # fmt: skip
        if refused.returncode == 0 or "violates PodSecurity" not in refused.stderr:
            raise RuntimeError(f"PodSecurity restricted admitted a privileged pod: {refused.stderr}")
        timings["pods: web Ready (a volume), client fetched via DNS + Service"] = time.monotonic() - mark
        mark = time.monotonic()
        with cluster.port_forward(SELF_CHECK_NAMESPACE, "service/web", 8000) as port:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(f"http://127.0.0.1:{port}/hello.txt", timeout=10) as response:
                body = response.read().decode()
            if body.strip() != HELLO:
                raise RuntimeError(f"port-forward to service/web answered {body[:200]!r}")
            print(
                f"port-forward 127.0.0.1:{port} -> service/web:8000 answered {len(body)} bytes",
                file=sys.stderr,
            )
        timings["port-forward"] = time.monotonic() - mark
        mark = time.monotonic()
    timings["teardown"] = time.monotonic() - mark
    left = leftovers(workdir)
    if left:
        raise RuntimeError(f"the teardown left: {left}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.infra.cluster",
        description=tests.infra.cluster.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--workdir", type=Path, help="folder for configs, logs and images (default: a temporary one)"
    )
    args = parser.parse_args()
    workdir: Path = args.workdir or Path(tempfile.mkdtemp(prefix="k8s-self-check-"))
    timings = self_check(workdir)
    if not args.workdir:
        shutil.rmtree(workdir)
    print("self-check passed; nothing left behind. Timings:")
    for what, seconds in timings.items():
        print(f"  {what:55} {seconds:6.1f} s")
