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


def kubernetes_bin_dir() -> Path:
    """The cached binaries' folder, without building anything (k8s.sh --check)."""
    result = subprocess.run(
        ["bash", str(INFRA_DIR / "k8s.sh"), "--check"], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        reason = result.stderr.strip().removeprefix("error: ")
        raise BinariesMissing(reason or "tests/infra/k8s.sh --check failed")
    return Path(result.stdout.strip().splitlines()[-1])


@dataclass(frozen=True)
class ApiServer:
    kubeconfig: Path
    kubectl: Path
    version: str

    def kubectl_run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.kubectl), "--kubeconfig", str(self.kubeconfig), *args],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )


def _write_kubeconfig(path: Path, port: int, token: str) -> None:
    # The server's certificate is self-signed on start; the connection never leaves loopback.
    path.write_text(
        f"""apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:{port}
    insecure-skip-tls-verify: true
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
    peer_url = f"http://127.0.0.1:{peer_port}"
    with (
        (workdir / "etcd.log").open("wb") as etcd_log,
        (workdir / "kube-apiserver.log").open("wb") as api_log,
    ):
        etcd = subprocess.Popen(
            [
                "etcd",
                "--name=test",
                f"--data-dir={workdir / 'etcd'}",
                f"--listen-client-urls={etcd_url}",
                f"--advertise-client-urls={etcd_url}",
                f"--listen-peer-urls={peer_url}",
                f"--initial-advertise-peer-urls={peer_url}",
                f"--initial-cluster=test={peer_url}",
            ],
            stdout=etcd_log,
            stderr=subprocess.STDOUT,
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
                _write_kubeconfig(kubeconfig, api_port, token)
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
