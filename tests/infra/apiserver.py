"""A real Kubernetes API server on 127.0.0.1 for the chart checks: etcd + kube-apiserver only.

No controller-manager, kubelet or runtime: objects are admitted and validated, never run, which
is what server-side dry-runs need. Binaries come from tests/infra/k8s.sh (cached per user).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.processes import free_port, stop

INFRA_DIR = Path(__file__).resolve().parent
READY_TIMEOUT_S = 90
# Admission that needs controllers (the default service account) is off: nothing here runs them.
DISABLED_ADMISSION = "ServiceAccount"


class BinariesMissing(RuntimeError):
    """The Kubernetes binaries are not in the cache (tests/infra/k8s.sh builds them)."""


def kubernetes_bin_dir(needs: str = "apiserver") -> Path:
    """The cached binaries' folder, without building anything (`k8s.sh --check [apiserver]`).

    `needs="apiserver"` asks for etcd, kube-apiserver and kubectl only; `needs="cluster"` for
    everything tests/infra/cluster runs (containerd, CNI, CoreDNS and pause images too).
    """
    check = ["--check", "apiserver"] if needs == "apiserver" else ["--check"]
    result = subprocess.run(
        ["bash", str(INFRA_DIR / "k8s.sh"), *check], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        reason = result.stderr.strip().removeprefix("error: ")
        raise BinariesMissing(reason or "tests/infra/k8s.sh --check failed")
    return Path(result.stdout.strip().splitlines()[-1])


@dataclass(frozen=True)
class KubectlTarget:
    """A kubeconfig and the kubectl to use it with (this API server's, and tests/infra/cluster's)."""

    kubeconfig: Path
    kubectl: Path

    def kubectl_argv(self, *args: str) -> list[str]:
        return [str(self.kubectl), "--kubeconfig", str(self.kubeconfig), *args]

    def kubectl_run(
        self, *args: str, stdin: str | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.kubectl_argv(*args),
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )


@dataclass(frozen=True)
class ApiServer(KubectlTarget):
    version: str


def write_kubeconfig(path: Path, port: int, token: str, ca: Path | None = None) -> None:
    """A kubeconfig for https://127.0.0.1:`port` with a bearer token (tests/infra/cluster's components too).

    Without `ca` the server's certificate is not checked (apiserver.py's is self-signed on start);
    the connection never leaves loopback either way.
    """
    trust = f"certificate-authority: {ca}" if ca else "insecure-skip-tls-verify: true"
    path.write_text(
        f"""apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:{port}
    {trust}
users:
- name: admin
  user:
    token: {token}
contexts:
- name: local
  context: {{cluster: local, user: admin}}
current-context: local
"""
    )
    path.chmod(0o600)


def etcd_command(data_dir: Path, client_port: int, peer_port: int) -> list[str]:
    """A one-member etcd on 127.0.0.1 (Debian's etcd-server), its data in `data_dir`."""
    client_url = f"http://127.0.0.1:{client_port}"
    peer_url = f"http://127.0.0.1:{peer_port}"
    return [
        "etcd",
        "--name=test",
        f"--data-dir={data_dir}",
        f"--listen-client-urls={client_url}",
        f"--advertise-client-urls={client_url}",
        f"--listen-peer-urls={peer_url}",
        f"--initial-advertise-peer-urls={peer_url}",
        f"--initial-cluster=test={peer_url}",
    ]


@contextmanager
def running_apiserver(workdir: Path) -> Iterator[ApiServer]:
    """etcd and kube-apiserver on free 127.0.0.1 ports, ready, stopped afterwards; logs in workdir."""
    bin_dir = kubernetes_bin_dir()
    workdir.mkdir(parents=True, exist_ok=True)
    etcd_port, peer_port, api_port = free_port(), free_port(), free_port()
    token = os.urandom(24).hex()
    (workdir / "tokens.csv").write_text(f"{token},admin,admin,system:masters\n")
    signing_key = workdir / "service-account.key"
    subprocess.run(["openssl", "genrsa", "-out", str(signing_key), "2048"], check=True, capture_output=True)
    etcd_url = f"http://127.0.0.1:{etcd_port}"
    with (
        (workdir / "etcd.log").open("wb") as etcd_log,
        (workdir / "kube-apiserver.log").open("wb") as api_log,
    ):
        etcd = subprocess.Popen(
            etcd_command(workdir / "etcd", etcd_port, peer_port), stdout=etcd_log, stderr=subprocess.STDOUT
        )
        try:
            apiserver = subprocess.Popen(
                [
                    str(bin_dir / "kube-apiserver"),
                    f"--etcd-servers={etcd_url}",
                    "--bind-address=127.0.0.1",
                    "--advertise-address=127.0.0.1",
                    f"--secure-port={api_port}",
                    f"--cert-dir={workdir / 'certs'}",
                    f"--token-auth-file={workdir / 'tokens.csv'}",
                    "--authorization-mode=RBAC",
                    f"--service-account-key-file={signing_key}",
                    f"--service-account-signing-key-file={signing_key}",
                    "--service-account-issuer=https://kubernetes.default.svc",
                    "--service-cluster-ip-range=10.96.0.0/16",
                    "--enable-admission-plugins=PodSecurity",
                    f"--disable-admission-plugins={DISABLED_ADMISSION}",
                ],
                stdout=api_log,
                stderr=subprocess.STDOUT,
            )
            try:
                kubeconfig = workdir / "kubeconfig"
                write_kubeconfig(kubeconfig, api_port, token)
                server = ApiServer(kubeconfig=kubeconfig, kubectl=bin_dir / "kubectl", version="")
                _wait_ready(server, apiserver, workdir)
                version = subprocess.run(
                    [str(bin_dir / "kube-apiserver"), "--version"], capture_output=True, text=True, check=True
                ).stdout.split()[-1]
                yield ApiServer(kubeconfig=kubeconfig, kubectl=server.kubectl, version=version)
            finally:
                stop(apiserver, grace_seconds=15)
        finally:
            stop(etcd, grace_seconds=15)


def _wait_ready(server: ApiServer, apiserver: subprocess.Popen[bytes], workdir: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if apiserver.poll() is not None:
            raise RuntimeError(
                f"kube-apiserver exited with {apiserver.returncode}; see {workdir}/kube-apiserver.log"
            )
        if server.kubectl_run("get", "--raw", "/readyz").stdout.strip() == "ok":
            return
        time.sleep(0.5)
    raise RuntimeError(f"kube-apiserver not ready in {READY_TIMEOUT_S} s; see {workdir}/kube-apiserver.log")
