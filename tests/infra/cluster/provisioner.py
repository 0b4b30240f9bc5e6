"""The default StorageClass's provisioner (kind's `standard` has one too), a thread of the run: a
hostPath PersistentVolume in workdir/volumes, writable by the pods' non-root users, for every
Pending claim of that class; Released ones are deleted with their folder."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The default StorageClass, named as kind's is, and the name this provisioner goes by.
STORAGE_CLASS = "standard"
PROVISIONER = "cookiecutter-ai-solution.test/hostpath"


class Provisioner(threading.Thread):
    def __init__(self, api: Callable[..., Any], volumes: Path, progress: Callable[[str], None]) -> None:
        super().__init__(name="hostpath-provisioner", daemon=True)
        self.api = api
        self.volumes = volumes
        self.progress = progress
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(1):
            try:
                self.provision()
            except Exception as error:  # a failed poll is retried
                self.progress(f"provisioner: {error!r}")

    def stop(self) -> None:
        if self.is_alive():
            self.stopping.set()
            self.join(timeout=10)

    def provision(self) -> None:
        api = self.api
        claims = api("/api/v1/persistentvolumeclaims") or {}
        for claim in claims.get("items", []):
            spec, meta = claim["spec"], claim["metadata"]
            if spec.get("storageClassName") != STORAGE_CLASS or spec.get("volumeName"):
                continue
            name = f"pvc-{meta['uid']}"
            folder = self.volumes / name
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o777)
            api("/api/v1/persistentvolumes", "POST", {
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": {"name": name, "annotations": {"pv.kubernetes.io/provisioned-by": PROVISIONER}},
                "spec": {
                    "capacity": {"storage": spec["resources"]["requests"]["storage"]},
                    "accessModes": spec.get("accessModes", ["ReadWriteOnce"]),
                    "volumeMode": spec.get("volumeMode", "Filesystem"),
                    "persistentVolumeReclaimPolicy": "Delete",
                    "storageClassName": STORAGE_CLASS,
                    "hostPath": {"path": str(folder), "type": "Directory"},
                    "claimRef": {"namespace": meta["namespace"], "name": meta["name"], "uid": meta["uid"]},
                },
            })  # fmt: skip
        volumes = api("/api/v1/persistentvolumes") or {}
        for volume in volumes.get("items", []):
            annotations = volume["metadata"].get("annotations", {})
            if annotations.get("pv.kubernetes.io/provisioned-by") != PROVISIONER:
                continue
            if volume.get("status", {}).get("phase") in ("Released", "Failed"):
                api(f"/api/v1/persistentvolumes/{volume['metadata']['name']}", "DELETE")
                shutil.rmtree(volume["spec"]["hostPath"]["path"], ignore_errors=True)
