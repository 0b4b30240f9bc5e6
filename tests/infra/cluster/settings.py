"""What every run is made of: the machine-wide names, addresses and folders; and one run's own
folders, free ports and bearer tokens, fixed before anything starts."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from tests.processes import free_port

INFRA_DIR = Path(__file__).resolve().parent.parent
MANIFESTS_DIR = INFRA_DIR / "k8s"
# Unix sockets (containerd's, kubelet's) must fit in 108 bytes: this short folder holds them.
RUN_DIR = Path("/run/cookiecutter-ai-solution-k8s")
CONTAINERD_SOCKET = RUN_DIR / "containerd.sock"
KUBELET_ROOT = RUN_DIR / "kubelet"
BRIDGE = "ccais-k8s0"
CNI_NETWORK = "ccais-k8s"
CNI_CACHE = Path("/var/lib/cni")
POD_CIDR = "10.244.0.0/24"
NODE_IP = "10.244.0.1"
SERVICE_CIDR = "10.96.0.0/16"
API_SERVICE_IP = "10.96.0.1"
DNS_SERVICE_IP = "10.96.0.10"
CLUSTER_DOMAIN = "cluster.local"
NODE_NAME = "ai-solution-node"
# Each token's user in tokens.csv (user, uid, groups): the admin's kubeconfig and the components'.
TOKEN_USERS = {
    "admin": "admin,admin,system:masters",
    "kcm": "system:kube-controller-manager,kcm",
    "scheduler": "system:kube-scheduler,scheduler",
    "kubelet": f"system:node:{NODE_NAME},kubelet,system:nodes",
    "proxy": "system:kube-proxy,proxy",
}


@dataclass
class Ports:
    api: int = field(default_factory=free_port)
    etcd: int = field(default_factory=free_port)
    etcd_peer: int = field(default_factory=free_port)
    kubelet: int = field(default_factory=free_port)
    kubelet_healthz: int = field(default_factory=free_port)
    controller_manager: int = field(default_factory=free_port)
    scheduler: int = field(default_factory=free_port)
    proxy_healthz: int = field(default_factory=free_port)
    proxy_metrics: int = field(default_factory=free_port)


def _new_tokens() -> dict[str, str]:
    return {name: os.urandom(24).hex() for name in TOKEN_USERS}


@dataclass(frozen=True)
class RunSettings:
    """One run's folders, ports and tokens, which its configs and command lines are made from."""

    workdir: Path
    bin_dir: Path
    ports: Ports = field(default_factory=Ports)
    tokens: dict[str, str] = field(default_factory=_new_tokens)

    @property
    def pki(self) -> Path:
        return self.workdir / "pki"
