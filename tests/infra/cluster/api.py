"""The apiserver over HTTPS directly, for the polls (a kubectl per poll costs a process start):
any call as the admin, and whether the node is Ready and CoreDNS Available."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.infra.cluster.settings import NODE_NAME


@dataclass
class Api:
    port: int
    token: str
    ca: Path
    # Loaded on the first call: the CA is made after this object, when the run starts.
    _context: ssl.SSLContext | None = field(default=None, init=False, repr=False)

    def call(self, path: str, method: str = "GET", body: Any = None) -> Any:
        """The parsed answer (JSON, else text), or None on any failure (polls retry)."""
        request = urllib.request.Request(
            f"https://127.0.0.1:{self.port}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            if self._context is None:
                self._context = ssl.create_default_context(cafile=str(self.ca))
            opener = urllib.request.build_opener(
                urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=self._context)
            )
            with opener.open(request, timeout=5) as response:
                text = response.read().decode()
        except (urllib.error.URLError, OSError):
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text

    def node_ready(self) -> bool:
        node = self.call(f"/api/v1/nodes/{NODE_NAME}")
        if not _condition(node, "Ready"):
            return False
        taints = [taint.get("key") for taint in node.get("spec", {}).get("taints", [])]
        return "node.kubernetes.io/not-ready" not in taints

    def coredns_available(self) -> bool:
        return _condition(self.call("/apis/apps/v1/namespaces/kube-system/deployments/coredns"), "Available")


def _condition(item: Any, kind: str) -> bool:
    """Whether an object's status has the condition `kind` True."""
    if not isinstance(item, dict):
        return False
    conditions = item.get("status", {}).get("conditions", [])
    return any(c.get("type") == kind and c.get("status") == "True" for c in conditions)
