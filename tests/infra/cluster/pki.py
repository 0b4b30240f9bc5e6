"""The run's certificates, made by openssl: a CA per run, the apiserver's and kubelet's serving
certificates, the apiserver's client certificate towards kubelet, and the service-account signing
key (EC keys: fast)."""

from __future__ import annotations

from pathlib import Path

from tests.infra.cluster.settings import API_SERVICE_IP, CLUSTER_DOMAIN, NODE_IP, NODE_NAME
from tests.infra.cluster.shell import run_checked


def _extensions(*extensions: str) -> list[str]:
    return [arg for extension in extensions for arg in ("-addext", extension)]


def write_pki(pki: Path) -> None:
    pki.mkdir(parents=True, exist_ok=True)
    config = pki / "openssl.cnf"
    config.write_text("[req]\ndistinguished_name = dn\nprompt = no\n[dn]\n")
    base = ["openssl", "req", "-x509", "-config", str(config), "-days", "3", "-nodes"]
    base += ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    ca = _extensions("basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign")
    run_checked(*base, "-subj", "/CN=cookiecutter-ai-solution-k8s-ca", *ca,
                "-keyout", str(pki / "ca.key"), "-out", str(pki / "ca.crt"))  # fmt: skip
    signed = [*base, "-CA", str(pki / "ca.crt"), "-CAkey", str(pki / "ca.key")]
    leaves = {
        "apiserver": (
            "/CN=kube-apiserver",
            "serverAuth",
            f"IP:127.0.0.1,IP:{NODE_IP},IP:{API_SERVICE_IP},DNS:localhost,DNS:kubernetes,"
            f"DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.{CLUSTER_DOMAIN}",
        ),
        "kubelet": (f"/CN={NODE_NAME}", "serverAuth", f"IP:{NODE_IP},DNS:{NODE_NAME}"),
        "apiserver-kubelet-client": ("/CN=kube-apiserver-kubelet-client", "clientAuth", ""),
    }
    for name, (subject, usage, names) in leaves.items():
        alt_names = [f"subjectAltName={names}"] if names else []
        extensions = _extensions(
            "basicConstraints=critical,CA:FALSE", f"extendedKeyUsage={usage}", *alt_names
        )
        run_checked(*signed, "-subj", subject, *extensions, "-keyout", str(pki / f"{name}.key"),
                    "-out", str(pki / f"{name}.crt"))  # fmt: skip
    key = str(pki / "service-account.key")
    run_checked("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
    # The apiserver's --service-account-key-file reads public keys only (or RSA/SEC1 private ones).
    run_checked("openssl", "pkey", "-in", key, "-pubout", "-out", str(pki / "service-account.pub"))
