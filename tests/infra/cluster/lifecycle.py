"""One cluster's life: the host cleaned and recorded, the network and certificates made, each
component started in order and waited for, the add-ons applied; then the pods deleted, every
process stopped and the host put back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from tests.infra.apiserver import kubernetes_bin_dir
from tests.infra.cluster.api import Api
from tests.infra.cluster.client import Cluster
from tests.infra.cluster.components import addons, commands, image_tarballs, write_configs
from tests.infra.cluster.host import (
    clean_host,
    forget_process,
    leftovers,
    one_cluster_per_machine,
    record_process,
    record_run,
)
from tests.infra.cluster.network import create_network
from tests.infra.cluster.pki import write_pki
from tests.infra.cluster.provisioner import Provisioner
from tests.infra.cluster.settings import CONTAINERD_SOCKET, RUN_DIR, RunSettings
from tests.processes import stop

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy")
START_TIMEOUT_S = 180
POD_DELETE_TIMEOUT_S = 90


class NotRoot(RuntimeError):
    """The cluster needs root: containerd, kubelet, a bridge and iptables rules."""


@contextmanager
def running_cluster(workdir: Path) -> Iterator[Cluster]:
    """A single-node cluster, yielded once the node is Ready and CoreDNS Available; torn down
    afterwards (also when starting fails), with the cluster's state in workdir on a failure."""
    if os.geteuid() != 0:
        raise NotRoot("the Kubernetes cluster needs root (containerd, kubelet, a bridge, iptables)")
    bin_dir = kubernetes_bin_dir("cluster")
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    with one_cluster_per_machine():
        run = _Run(RunSettings(workdir, bin_dir))
        try:
            cluster = run.start()
            run.progress(f"cluster {cluster.version} up in {time.monotonic() - run.started:.1f} s")
            yield cluster
        except BaseException:
            run.cluster.dump_state()
            raise
        finally:
            run.stop()


class _Run:
    """One cluster's processes and files; start() brings it up, stop() takes everything down."""

    def __init__(self, settings: RunSettings) -> None:
        self.settings = settings
        self.workdir = settings.workdir
        self.started = time.monotonic()
        self.commands = commands(settings)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.env = {key: value for key, value in os.environ.items() if key not in PROXY_VARIABLES}
        self.cluster = Cluster(
            kubeconfig=self.workdir / "kubeconfig",
            kubectl=settings.bin_dir / "kubectl",
            version="",
            workdir=self.workdir,
        )
        self.api = Api(settings.ports.api, settings.tokens["admin"], settings.pki / "ca.crt")
        self.provisioner = Provisioner(self.api.call, self.workdir / "volumes", self.progress)

    def progress(self, message: str) -> None:
        elapsed = time.monotonic() - self.started
        print(f"[cluster {time.strftime('%H:%M:%S')} +{elapsed:5.1f}s] {message}", file=sys.stderr)

    def start(self) -> Cluster:
        self.progress(f"starting in {self.workdir} (run state in {RUN_DIR})")
        stale = leftovers()
        if stale:
            self.progress(f"cleaning up after an earlier run: {len(stale)} leftovers, e.g. {stale[0]}")
        clean_host()
        record_run(self.workdir)
        create_network([self.settings.ports.api, self.settings.ports.kubelet])
        write_pki(self.settings.pki)
        images = write_configs(self.settings)
        for name in ("etcd", "containerd", "kube-apiserver"):
            self.spawn(name)
        self.wait(
            "containerd", lambda: CONTAINERD_SOCKET.exists() and self.cluster.ctr("version").returncode == 0
        )
        for tarball in image_tarballs(self.settings.bin_dir):
            imported = self.cluster.ctr("images", "import", str(tarball))
            if imported.returncode != 0:
                raise RuntimeError(f"ctr images import {tarball} failed: {imported.stderr.strip()}")
        self.progress("pause and CoreDNS images imported")
        self.wait("kube-apiserver", lambda: self.api.call("/readyz") == "ok")
        for name in ("kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy"):
            self.spawn(name)
        applied = self.cluster.kubectl_run("apply", "--filename=-", stdin=addons(images))
        if applied.returncode != 0:
            raise RuntimeError(f"kubectl apply of CoreDNS and the StorageClass failed: {applied.stderr}")
        self.provisioner.start()
        self.wait("node", self.api.node_ready)
        self.wait("CoreDNS", self.api.coredns_available)
        version = self.api.call("/version") or {}
        return replace(self.cluster, version=str(version.get("gitVersion", "")))

    def spawn(self, name: str) -> None:
        logs = self.workdir / "logs"
        logs.mkdir(exist_ok=True)
        with (logs / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                self.commands[name],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
            )
        record_process(name, process.pid)
        self.processes[name] = process

    def wait(self, what: str, ready: Callable[[], bool], timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{name} exited with {process.returncode}; see {self.workdir / 'logs' / name}.log"
                    )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{what} not ready in {timeout:.0f} s; see the logs in {self.workdir / 'logs'}"
                )
            time.sleep(0.25)
        self.progress(f"{what} ready")

    def stop(self) -> None:
        started = time.monotonic()
        self.progress("tearing down")
        self.provisioner.stop()
        if "kubelet" in self.processes and self.processes["kubelet"].poll() is None:
            # Nothing recreates or reschedules pods while kubelet stops the ones there are.
            self.stop_process("kube-controller-manager")
            self.stop_process("kube-scheduler")
            self.delete_pods()
        for name in ("kube-proxy", "kubelet", "kube-scheduler", "kube-controller-manager", "containerd"):
            self.stop_process(name)
        for name in ("kube-apiserver", "etcd"):
            self.stop_process(name, grace_seconds=15)
        clean_host([self.workdir])
        # containerd's images and snapshots: hundreds of MB, of no use once the run is over.
        shutil.rmtree(self.workdir / "containerd", ignore_errors=True)
        self.progress(f"torn down in {time.monotonic() - started:.1f} s")

    def delete_pods(self) -> None:
        """Every pod, and a wait for kubelet to have stopped their containers (CNI teardown)."""
        try:
            deleted = self.cluster.kubectl_run(
                "delete", "pods", "--all", "--all-namespaces", "--grace-period=1",
                f"--timeout={POD_DELETE_TIMEOUT_S}s", timeout=POD_DELETE_TIMEOUT_S + 30,
            )  # fmt: skip
            if deleted.returncode != 0:
                self.progress(f"deleting the pods failed: {deleted.stderr.strip()}")
        except subprocess.TimeoutExpired:
            self.progress("deleting the pods timed out")
        self.progress("pods deleted")
        deadline = time.monotonic() + 30
        while self.cluster.ctr("tasks", "list", "--quiet").stdout.strip() and time.monotonic() < deadline:
            time.sleep(0.25)
        self.progress("containers stopped")

    def stop_process(self, name: str, grace_seconds: float = 10) -> None:
        process = self.processes.pop(name, None)
        if process is not None:
            started = time.monotonic()
            stop(process, grace_seconds=grace_seconds)
            forget_process(name)
            if time.monotonic() - started > 2:
                self.progress(f"{name} took {time.monotonic() - started:.1f} s to stop")
