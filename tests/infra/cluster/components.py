"""Each component's config files and command line, made from one run's settings: tokens and
kubeconfigs, the CNI network, containerd's, kubelet's and kube-proxy's configs (templates in
tests/infra/k8s), the add-ons (CoreDNS, the StorageClass), and the image tarballs k8s.sh built."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from string import Template
from typing import NamedTuple

from tests.infra.apiserver import BinariesMissing, etcd_command, write_kubeconfig
from tests.infra.cluster.provisioner import PROVISIONER, STORAGE_CLASS
from tests.infra.cluster.settings import (
    BRIDGE,
    CLUSTER_DOMAIN,
    CNI_NETWORK,
    CONTAINERD_SOCKET,
    DNS_SERVICE_IP,
    KUBELET_ROOT,
    MANIFESTS_DIR,
    NODE_IP,
    NODE_NAME,
    POD_CIDR,
    RUN_DIR,
    SERVICE_CIDR,
    TOKEN_USERS,
    RunSettings,
)


class Images(NamedTuple):
    pause: str
    coredns: str


def image_tarballs(bin_dir: Path) -> list[Path]:
    return sorted((bin_dir.parent / "images").glob("*.tar"))


def _images(bin_dir: Path) -> Images:
    """The pause and CoreDNS images' names, as their tarballs (made by k8s.sh) tag them."""
    tags: dict[str, str] = {}
    for tarball in image_tarballs(bin_dir):
        with tarfile.open(tarball) as archive:
            member = archive.extractfile("manifest.json")
            assert member is not None
            manifest: list[dict[str, list[str]]] = json.load(member)
        tag = next(tag for entry in manifest for tag in entry.get("RepoTags", []))
        tags.update({kind: tag for kind in ("pause", "coredns") if f"/{kind}:" in tag})
    if len(tags) < 2:
        raise BinariesMissing("the pause and CoreDNS image tarballs are missing; run make infra-k8s")
    return Images(pause=tags["pause"], coredns=tags["coredns"])


def _render(template: str, **values: object) -> str:
    return Template((MANIFESTS_DIR / template).read_text()).substitute(values)


def _write_rendered(workdir: Path, template: str, **values: object) -> None:
    (workdir / template).write_text(_render(template, **values))


def write_configs(run: RunSettings) -> Images:
    """Every component's files in the workdir; the images their configs name."""
    images, workdir = _images(run.bin_dir), run.workdir
    (workdir / "tokens.csv").write_text(
        "".join(f"{run.tokens[name]},{user}\n" for name, user in TOKEN_USERS.items())
    )
    (workdir / "tokens.csv").chmod(0o600)
    for name, token in run.tokens.items():
        path = workdir / ("kubeconfig" if name == "admin" else f"{name}.kubeconfig")
        write_kubeconfig(path, run.ports.api, token, ca=run.pki / "ca.crt")
    cni = workdir / "cni"
    (cni / "net.d").mkdir(parents=True, exist_ok=True)
    bridge = {
        "type": "bridge",
        "bridge": BRIDGE,
        "isGateway": True,
        "isDefaultGateway": True,
        "ipMasq": False,
        "hairpinMode": True,
        "ipam": {
            "type": "host-local",
            "ranges": [[{"subnet": POD_CIDR, "gateway": NODE_IP}]],
            "dataDir": str(cni / "ipam"),
        },
    }
    (cni / "net.d" / "10-ccais.conflist").write_text(
        json.dumps({"cniVersion": "1.0.0", "name": CNI_NETWORK, "plugins": [bridge]}, indent=2)
    )
    _write_rendered(
        workdir,
        "containerd.toml",
        root=workdir / "containerd",
        state=RUN_DIR / "containerd",
        socket=CONTAINERD_SOCKET,
        runc_root=RUN_DIR / "runc",
        opt=workdir / "containerd" / "opt",
        sandbox_image=images.pause,
        cni_conf_dir=cni / "net.d",
    )
    _write_rendered(
        workdir,
        "kubelet.yaml",
        socket=CONTAINERD_SOCKET,
        node_ip=NODE_IP,
        port=run.ports.kubelet,
        healthz_port=run.ports.kubelet_healthz,
        pki=run.pki,
        dns_ip=DNS_SERVICE_IP,
        domain=CLUSTER_DOMAIN,
        pod_logs=workdir / "pod-logs",
    )
    _write_rendered(
        workdir,
        "kube-proxy.yaml",
        kubeconfig=workdir / "proxy.kubeconfig",
        pod_cidr=POD_CIDR,
        node=NODE_NAME,
        healthz=f"127.0.0.1:{run.ports.proxy_healthz}",
        metrics=f"127.0.0.1:{run.ports.proxy_metrics}",
    )
    return images


def addons(images: Images) -> str:
    """CoreDNS and the default StorageClass, for `kubectl apply`."""
    return _render(
        "addons.yaml",
        image=images.coredns,
        dns_ip=DNS_SERVICE_IP,
        domain=CLUSTER_DOMAIN,
        storage_class=STORAGE_CLASS,
        provisioner=PROVISIONER,
    )


def commands(run: RunSettings) -> dict[str, list[str]]:
    """Every component's command line, by the name its log and pid file go by."""
    bin_dir, workdir, pki, ports = run.bin_dir, run.workdir, run.pki, run.ports

    def controller(name: str, kubeconfig: str, port: int, *flags: str) -> list[str]:
        # kube-controller-manager and kube-scheduler: on loopback, one of each, no leader election.
        return [str(bin_dir / name), f"--kubeconfig={workdir / kubeconfig}", "--bind-address=127.0.0.1",
                f"--secure-port={port}", "--leader-elect=false", "--profiling=false", *flags]  # fmt: skip

    return {
        "etcd": etcd_command(workdir / "etcd", ports.etcd, ports.etcd_peer),
        "containerd": ["containerd", "--config", str(workdir / "containerd.toml")],
        "kube-apiserver": [
            str(bin_dir / "kube-apiserver"),
            f"--etcd-servers=http://127.0.0.1:{ports.etcd}",
            # All addresses, but the run's INPUT chain lets only loopback and the pods' bridge in.
            "--bind-address=0.0.0.0",
            f"--advertise-address={NODE_IP}",
            f"--secure-port={ports.api}",
            f"--tls-cert-file={pki / 'apiserver.crt'}",
            f"--tls-private-key-file={pki / 'apiserver.key'}",
            f"--client-ca-file={pki / 'ca.crt'}",
            f"--token-auth-file={workdir / 'tokens.csv'}",
            "--authorization-mode=Node,RBAC",
            "--enable-admission-plugins=NodeRestriction,PodSecurity",
            f"--service-account-key-file={pki / 'service-account.pub'}",
            f"--service-account-signing-key-file={pki / 'service-account.key'}",
            f"--service-account-issuer=https://kubernetes.default.svc.{CLUSTER_DOMAIN}",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            f"--kubelet-client-certificate={pki / 'apiserver-kubelet-client.crt'}",
            f"--kubelet-client-key={pki / 'apiserver-kubelet-client.key'}",
            f"--kubelet-certificate-authority={pki / 'ca.crt'}",
            "--kubelet-preferred-address-types=InternalIP",
            "--allow-privileged=true",
            "--profiling=false",
        ],
        "kube-controller-manager": controller(
            "kube-controller-manager",
            "kcm.kubeconfig",
            ports.controller_manager,
            f"--cert-dir={workdir / 'controller-manager'}",
            "--use-service-account-credentials=true",
            f"--service-account-private-key-file={pki / 'service-account.key'}",
            f"--root-ca-file={pki / 'ca.crt'}",
        ),
        "kube-scheduler": controller("kube-scheduler", "scheduler.kubeconfig", ports.scheduler),
        "kubelet": [
            str(bin_dir / "kubelet"),
            f"--config={workdir / 'kubelet.yaml'}",
            f"--kubeconfig={workdir / 'kubelet.kubeconfig'}",
            f"--root-dir={KUBELET_ROOT}",
            f"--cert-dir={pki}",
            f"--hostname-override={NODE_NAME}",
            f"--node-ip={NODE_IP}",
        ],
        "kube-proxy": [str(bin_dir / "kube-proxy"), f"--config={workdir / 'kube-proxy.yaml'}"],
    }
