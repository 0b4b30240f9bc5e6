"""A real single-node Kubernetes cluster on this machine, for the chart tests (root only).

etcd, kube-apiserver, kube-controller-manager, kube-scheduler, a containerd of its own, kubelet,
kube-proxy (iptables mode) and CoreDNS, with binaries and images from tests/infra/k8s.sh (cached
per user). Pods live on a bridge the run creates (`BRIDGE`, `POD_CIDR`), and its gateway address
`NODE_IP` is the node's: kubelet serves there and the apiserver advertises it, so pods reach the
`kubernetes` Service. From the host everything goes to 127.0.0.1: the apiserver (token auth,
certificates from a CA made per run) and `kubectl port-forward`.

Configs, certificates, logs, etcd's data, containerd's images and the pods' logs live in the
caller's workdir; kubelet's root and containerd's state hold unix sockets, so they live under the
short `RUN_DIR`. Teardown deletes every pod, stops every process, unmounts, removes the bridge,
the iptables chains, kubelet's cgroups and `RUN_DIR`, and puts back the sysctls kubelet sets;
starting does the same first for whatever a crashed run left behind.

    python -m tests.infra.cluster [--workdir DIR]   # the self-check: pods, DNS, Service, port-forward
"""

from tests.infra.apiserver import BinariesMissing
from tests.infra.cluster.client import Cluster, normalised_image
from tests.infra.cluster.host import clean_host, leftovers
from tests.infra.cluster.lifecycle import NotRoot, running_cluster

__all__ = [
    "BinariesMissing",
    "Cluster",
    "NotRoot",
    "clean_host",
    "leftovers",
    "normalised_image",
    "running_cluster",
]
