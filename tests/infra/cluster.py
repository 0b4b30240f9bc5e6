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

from __future__ import annotations

import argparse
import fcntl
import json
import os
import queue
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import IO, Any

from tests.infra.apiserver import BinariesMissing, etcd_command, kubernetes_bin_dir, write_kubeconfig
from tests.processes import free_port, stop

__all__ = ["BinariesMissing", "Cluster", "NotRoot", "leftovers", "running_cluster"]

INFRA_DIR = Path(__file__).resolve().parent
MANIFESTS_DIR = INFRA_DIR / "k8s"
# Unix sockets (containerd's, kubelet's) must fit in 108 bytes: this short folder holds them.
RUN_DIR = Path("/run/cookiecutter-ai-solution-k8s")
# One cluster per machine: held for a run's whole life (flock), in the usual folder for locks.
LOCK_FILE = Path("/run/lock/cookiecutter-ai-solution-k8s.lock")
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
# The default StorageClass, named as kind's is, and its provisioner (a thread of cluster.py).
STORAGE_CLASS = "standard"
PROVISIONER = "cookiecutter-ai-solution.test/hostpath"
NODE_NAME = "ai-solution-node"
CTR = "ctr"
DOCKER = os.environ.get("DOCKER", "/usr/bin/docker")
# The run's own iptables chains: pods' traffic through Docker's FORWARD policy DROP, and the
# apiserver's and kubelet's ports closed to everything but loopback and the pods.
FORWARD_CHAIN = "CCAIS-K8S-FORWARD"
INPUT_CHAIN = "CCAIS-K8S-INPUT"
OWN_CHAIN_PREFIXES = ("KUBE-", "CCAIS-K8S-")
# kubelet sets the first six (protectKernelDefaults off); the run sets the last two if needed.
SYSCTLS = (
    "vm/overcommit_memory",
    "vm/panic_on_oom",
    "kernel/panic",
    "kernel/panic_on_oops",
    "kernel/keys/root_maxkeys",
    "kernel/keys/root_maxbytes",
    "net/ipv4/conf/all/route_localnet",
    "net/bridge/bridge-nf-call-iptables",
    "net/ipv4/ip_forward",
)
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy")
START_TIMEOUT_S = 180
POD_DELETE_TIMEOUT_S = 90


class NotRoot(RuntimeError):
    """The cluster needs root: containerd, kubelet, a bridge and iptables rules."""


def _progress(started: float, message: str) -> None:
    print(
        f"[cluster {time.strftime('%H:%M:%S')} +{time.monotonic() - started:5.1f}s] {message}",
        file=sys.stderr,
    )


@dataclass(frozen=True)
class Cluster:
    kubeconfig: Path
    kubectl: Path
    version: str
    workdir: Path
    containerd_socket: Path = CONTAINERD_SOCKET

    def kubectl_run(
        self, *args: str, stdin: str | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.kubectl), "--kubeconfig", str(self.kubeconfig), *args],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )

    def ctr(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Debian's ctr against the cluster's containerd, in kubelet's k8s.io namespace."""
        return subprocess.run(
            [CTR, "--address", str(self.containerd_socket), "--namespace", "k8s.io", *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )

    def load_images(self, *docker_images: str) -> None:
        """Copies images from the Docker daemon into the cluster's containerd (`docker save | ctr
        images import`), so pods naming them as Docker does (`standin/postgres:15`) start with
        `imagePullPolicy: IfNotPresent` or `Never`; both sides normalise to `docker.io/...`."""
        if not docker_images:
            return
        save = subprocess.Popen([DOCKER, "save", *docker_images], stdout=subprocess.PIPE)
        assert save.stdout is not None
        try:
            imported = subprocess.run(
                [
                    CTR,
                    "--address",
                    str(self.containerd_socket),
                    "--namespace",
                    "k8s.io",
                    *("images", "import", "-"),
                ],
                stdin=save.stdout,
                capture_output=True,
                text=True,
                check=False,
                timeout=600,
            )
        finally:
            save.stdout.close()
            saved = save.wait()
        if saved != 0 or imported.returncode != 0:
            raise RuntimeError(f"docker save | ctr images import failed: {imported.stderr.strip()}")
        known = set(self.ctr("images", "ls", "--quiet").stdout.split())
        missing = [image for image in docker_images if normalised_image(image) not in known]
        if missing:
            raise RuntimeError(f"not in the cluster's containerd after the import: {missing}")

    @contextmanager
    def port_forward(self, namespace: str, target: str, remote_port: int) -> Iterator[int]:
        """`kubectl port-forward --address 127.0.0.1 <target> :<remote_port>`; yields the local
        port once it accepts connections, stops the forward afterwards."""
        process = subprocess.Popen(
            [
                str(self.kubectl),
                "--kubeconfig",
                str(self.kubeconfig),
                "--namespace",
                namespace,
                "port-forward",
                "--address",
                "127.0.0.1",
                target,
                f":{remote_port}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        # Drained all along: kubectl writes a line per connection and would block on a full pipe.
        reader = threading.Thread(target=_drain, args=(process.stdout, lines), daemon=True)
        reader.start()
        try:
            port, seen = 0, list[str]()
            deadline = time.monotonic() + 60
            while not port:
                if time.monotonic() > deadline or (process.poll() is not None and lines.empty()):
                    raise RuntimeError(f"kubectl port-forward {target} gave no port: {''.join(seen)}")
                try:
                    line = lines.get(timeout=0.5)
                except queue.Empty:
                    continue
                seen.append(line)
                if match := re.search(r"Forwarding from 127\.0\.0\.1:(\d+) ->", line):
                    port = int(match.group(1))
            _wait_for_port(port, deadline)
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            reader.join(timeout=5)

    def dump_state(self, path: Path | None = None) -> Path:
        """Nodes, pods, events and every pod's logs in one file (for a failed test's report)."""
        path = path or self.workdir / "cluster-state.txt"
        with path.open("w") as out:
            for args in (
                ("get", "nodes,all", "--all-namespaces", "--output=wide"),
                ("describe", "pods", "--all-namespaces"),
                ("get", "events", "--all-namespaces", "--sort-by=.lastTimestamp"),
            ):
                out.write(f"$ kubectl {' '.join(args)}\n{_run_text(self, args)}\n")
            for pod_dir in sorted((self.workdir / "pod-logs").glob("*/*")):
                for log in sorted(pod_dir.glob("*.log")):
                    out.write(f"--- {pod_dir.parent.name}/{pod_dir.name}/{log.name}\n")
                    out.write(log.read_text(errors="replace")[-20000:] + "\n")
        return path


def _drain(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def _run_text(cluster: Cluster, args: Sequence[str]) -> str:
    try:
        result = cluster.kubectl_run(*args, timeout=30)
    except subprocess.TimeoutExpired:
        return "(timed out)"
    return result.stdout + result.stderr


def normalised_image(name: str) -> str:
    """What Docker and containerd both make of a short image name: docker.io/library/x:latest."""
    first, _, rest = name.partition("/")
    if not rest or ("." not in first and ":" not in first and first != "localhost"):
        name = f"docker.io/{name}" if rest else f"docker.io/library/{name}"
    if "@" not in name and ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return name


def _wait_for_port(port: int, deadline: float) -> None:
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


# --- the host: what a run changes outside its workdir, and how it is put back ------------------


def _proc_start_time(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _processes() -> dict[int, tuple[int, list[str]]]:
    """pid -> (parent pid, argv) of every process."""
    found: dict[int, tuple[int, list[str]]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        found[int(entry.name)] = (parent, [arg.decode(errors="replace") for arg in argv if arg])
    return found


def _own_processes() -> list[int]:
    """The run's leftover processes, by the ids it recorded and by the socket its containerd's
    shims name (`-address RUN_DIR/containerd.sock`), with all their descendants (the pods)."""
    roots: set[int] = set()
    for pidfile in (RUN_DIR / "pids").glob("*"):
        try:
            recorded, start_time = pidfile.read_text().split()
        except ValueError:
            continue
        if _proc_start_time(int(recorded)) == start_time:
            roots.add(int(recorded))
    table = _processes()
    for pid, (_, argv) in table.items():
        if argv and argv[0].endswith("containerd-shim-runc-v2") and str(CONTAINERD_SOCKET) in argv:
            roots.add(pid)
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    found, todo = set[int](), list(roots)
    while todo:
        pid = todo.pop()
        if pid not in found and pid != os.getpid():
            found.add(pid)
            todo.extend(children.get(pid, []))
    return sorted(found)


def _mounts_under(prefixes: Sequence[Path]) -> list[str]:
    mounts = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if any(point == str(prefix) or point.startswith(f"{prefix}/") for prefix in prefixes):
            mounts.append(point)
    return sorted(set(mounts), key=len, reverse=True)


def _cgroup_roots() -> list[Path]:
    roots = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        filesystem = fields[fields.index("-") + 1]
        if filesystem in ("cgroup", "cgroup2"):
            roots.append(Path(fields[4]))
    return roots


def _kubepods_cgroups() -> list[Path]:
    return [root / "kubepods" for root in _cgroup_roots() if (root / "kubepods").is_dir()]


def _own_chains() -> dict[str, dict[str, list[str]]]:
    """family tool -> table -> the run's chains there (kubelet's and kube-proxy's KUBE-*, ours)."""
    chains: dict[str, dict[str, list[str]]] = {}
    for tool in ("iptables", "ip6tables"):
        dump = _run_quiet(f"{tool}-save")
        table = ""
        for line in dump.splitlines():
            if line.startswith("*"):
                table = line[1:]
            elif line.startswith(":") and line[1:].startswith(OWN_CHAIN_PREFIXES):
                chains.setdefault(tool, {}).setdefault(table, []).append(line[1:].split()[0])
    return chains


def _run_quiet(*argv: str) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""


def _remove_own_chains() -> None:
    """Every KUBE-* and CCAIS-K8S-* chain and the rules that jump to them, in one restore per family
    (what `kube-proxy --cleanup` does for its own, plus kubelet's and this run's)."""
    for tool, tables in _own_chains().items():
        script = []
        dump = _run_quiet(f"{tool}-save")
        table = ""
        jumps: dict[str, list[str]] = {}
        for line in dump.splitlines():
            if line.startswith("*"):
                table = line[1:]
            elif line.startswith("-A ") and table in tables:
                words = shlex.split(line)
                chain, target = words[1], _jump_target(words)
                if not chain.startswith(OWN_CHAIN_PREFIXES) and target.startswith(OWN_CHAIN_PREFIXES):
                    jumps.setdefault(table, []).append("-D" + line[2:])
        for table, chains in tables.items():
            script.append(f"*{table}")
            script.extend(jumps.get(table, []))
            script.extend(f"-F {chain}" for chain in chains)
            script.extend(f"-X {chain}" for chain in chains)
            script.append("COMMIT")
        subprocess.run(
            [f"{tool}-restore", "--noflush"], input="\n".join(script) + "\n", text=True, capture_output=True
        )


def _jump_target(words: list[str]) -> str:
    for flag in ("-j", "-g", "--jump", "--goto"):
        if flag in words and words.index(flag) + 1 < len(words):
            return words[words.index(flag) + 1]
    return ""


def _log_symlinks(workdirs: Sequence[Path]) -> list[Path]:
    """kubelet's /var/log/containers links (a fixed folder) that point into a run's pod logs."""
    found = []
    for link in Path("/var/log/containers").glob("*.log"):
        target = os.readlink(link) if link.is_symlink() else ""
        if any(target.startswith(f"{workdir}/") for workdir in workdirs):
            found.append(link)
    return found


def _bridge_exists() -> bool:
    return Path(f"/sys/class/net/{BRIDGE}").exists()


def _recorded_workdirs() -> list[Path]:
    try:
        return [Path(line) for line in (RUN_DIR / "workdir").read_text().splitlines() if line]
    except OSError:
        return []


def leftovers(workdir: Path | None = None) -> list[str]:
    """What a run left on the host (empty after a clean teardown)."""
    workdirs = _recorded_workdirs() + ([workdir.resolve()] if workdir else [])
    found = [f"process {pid}: {' '.join(_processes().get(pid, (0, []))[1])}" for pid in _own_processes()]
    found += [f"mount {point}" for point in _mounts_under([RUN_DIR, *workdirs])]
    found += [f"cgroup {path}" for path in _kubepods_cgroups()]
    found += [f"iptables chain {tool} {table} {chain}" for tool, tables in _own_chains().items()
              for table, chains in tables.items() for chain in chains]  # fmt: skip
    found += [f"log link {link}" for link in _log_symlinks(workdirs)]
    found += [f"CNI result {result}" for result in CNI_CACHE.glob(f"results/{CNI_NETWORK}-*")]
    if _bridge_exists():
        found.append(f"bridge {BRIDGE}")
    if RUN_DIR.exists():
        found.append(f"folder {RUN_DIR}")
    return found


def clean_host(workdirs: Sequence[Path] = ()) -> None:
    """Removes whatever a run (this one, or one that crashed) left outside its workdir."""
    workdirs = [*_recorded_workdirs(), *workdirs]
    for _ in range(3):
        pids = _own_processes()
        if not pids:
            break
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
    for point in _mounts_under([RUN_DIR, *workdirs]):
        if subprocess.run(["umount", point], capture_output=True).returncode != 0:
            subprocess.run(["umount", "--lazy", point], capture_output=True)
    for link in _log_symlinks(workdirs):
        link.unlink(missing_ok=True)
    for cgroup in _kubepods_cgroups():
        for path in sorted(
            (p for p in cgroup.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True
        ):
            _rmdir_retrying(path)
        _rmdir_retrying(cgroup)
    if _bridge_exists():
        subprocess.run(["ip", "link", "delete", BRIDGE], capture_output=True)
    _remove_own_chains()
    _restore_sysctls()
    # libcni's cache (a fixed folder): the run's network's results, and the folders if empty.
    for result in CNI_CACHE.glob(f"results/{CNI_NETWORK}-*"):
        result.unlink(missing_ok=True)
    for folder in (CNI_CACHE / "results", CNI_CACHE):
        with suppress(OSError):
            folder.rmdir()
    shutil.rmtree(RUN_DIR, ignore_errors=True)


def _rmdir_retrying(path: Path) -> None:
    # A cgroup whose last process just died may be busy for a moment.
    for _ in range(20):
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.1)


def _save_sysctls() -> None:
    values = {}
    for name in SYSCTLS:
        try:
            values[name] = (Path("/proc/sys") / name).read_text().strip()
        except OSError:
            continue
    (RUN_DIR / "sysctls.json").write_text(json.dumps(values))


def _restore_sysctls() -> None:
    try:
        values: dict[str, str] = json.loads((RUN_DIR / "sysctls.json").read_text())
    except (OSError, ValueError):
        return
    for name, value in values.items():
        path = Path("/proc/sys") / name
        try:
            if path.read_text().strip() != value:
                path.write_text(value)
        except OSError:
            pass


def _set_sysctl(name: str, value: str) -> None:
    path = Path("/proc/sys") / name
    if path.read_text().strip() != value:
        path.write_text(value)


def _run(*argv: str) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {result.stderr.strip()}")


# --- the run ------------------------------------------------------------------------------------


@dataclass
class _Ports:
    api: int = field(default_factory=free_port)
    etcd: int = field(default_factory=free_port)
    etcd_peer: int = field(default_factory=free_port)
    kubelet: int = field(default_factory=free_port)
    kubelet_healthz: int = field(default_factory=free_port)
    controller_manager: int = field(default_factory=free_port)
    scheduler: int = field(default_factory=free_port)
    proxy_healthz: int = field(default_factory=free_port)
    proxy_metrics: int = field(default_factory=free_port)


class _Run:
    """One cluster's processes and files; start() brings it up, stop() takes everything down."""

    def __init__(self, workdir: Path, bin_dir: Path) -> None:
        self.workdir = workdir
        self.bin_dir = bin_dir
        self.pki = workdir / "pki"
        self.ports = _Ports()
        self.started = time.monotonic()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.tokens = {
            name: os.urandom(24).hex() for name in ("admin", "kcm", "scheduler", "kubelet", "proxy")
        }
        self.env = {key: value for key, value in os.environ.items() if key not in PROXY_VARIABLES}
        self.cluster = Cluster(
            kubeconfig=workdir / "kubeconfig", kubectl=bin_dir / "kubectl", version="", workdir=workdir
        )
        self.ssl = ssl.create_default_context()
        self.provisioner = _Provisioner(self)

    def progress(self, message: str) -> None:
        _progress(self.started, message)

    # -- processes --

    def spawn(self, name: str, argv: Sequence[str]) -> subprocess.Popen[bytes]:
        logs = self.workdir / "logs"
        logs.mkdir(exist_ok=True)
        with (logs / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                list(argv), stdout=log, stderr=subprocess.STDOUT, env=self.env, start_new_session=True
            )
        (RUN_DIR / "pids" / name).write_text(f"{process.pid} {_proc_start_time(process.pid)}")
        self.processes[name] = process
        return process

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with {process.returncode}; see {self.workdir / 'logs' / name}.log"
                )

    def stop_process(self, name: str, grace_seconds: float = 10) -> None:
        process = self.processes.pop(name, None)
        if process is not None:
            started = time.monotonic()
            stop(process, grace_seconds=grace_seconds)
            (RUN_DIR / "pids" / name).unlink(missing_ok=True)
            if time.monotonic() - started > 2:
                self.progress(f"{name} took {time.monotonic() - started:.1f} s to stop")

    # -- the API, polled over HTTPS directly (a kubectl per poll costs a process start) --

    def api_get(self, path: str, method: str = "GET", body: Any = None) -> Any:
        """The parsed answer (JSON, else text), or None on any failure (polls retry)."""
        request = urllib.request.Request(
            f"https://127.0.0.1:{self.ports.api}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.tokens['admin']}", "Content-Type": "application/json"},
        )
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=self.ssl)
        )
        try:
            with opener.open(request, timeout=5) as response:
                text = response.read().decode()
        except (urllib.error.URLError, OSError):
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text

    def wait(self, what: str, ready: Any, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            self.check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{what} not ready in {timeout:.0f} s; see the logs in {self.workdir / 'logs'}"
                )
            time.sleep(0.25)
        self.progress(f"{what} ready")

    # -- bring-up --

    def start(self) -> Cluster:
        self.progress(f"starting in {self.workdir} (run state in {RUN_DIR})")
        stale = leftovers()
        if stale:
            self.progress(f"cleaning up after an earlier run: {len(stale)} leftovers, e.g. {stale[0]}")
        clean_host()
        (RUN_DIR / "pids").mkdir(parents=True)
        (RUN_DIR / "workdir").write_text(f"{self.workdir}\n")
        _save_sysctls()
        self.network()
        self.certificates()
        self.configs()
        self.spawn("etcd", etcd_command(self.workdir / "etcd", self.ports.etcd, self.ports.etcd_peer))
        self.spawn("containerd", ["containerd", "--config", str(self.workdir / "containerd.toml")])
        self.spawn("kube-apiserver", self.apiserver_command())
        self.wait(
            "containerd", lambda: CONTAINERD_SOCKET.exists() and self.cluster.ctr("version").returncode == 0
        )
        self.import_tarballs()
        self.wait("kube-apiserver", lambda: self.api_get("/readyz") == "ok")
        self.spawn("kube-controller-manager", self.controller_manager_command())
        self.spawn("kube-scheduler", self.scheduler_command())
        self.spawn("kubelet", self.kubelet_command())
        self.spawn(
            "kube-proxy", [str(self.bin_dir / "kube-proxy"), f"--config={self.workdir / 'kube-proxy.yaml'}"]
        )
        addons = Template((MANIFESTS_DIR / "addons.yaml").read_text()).substitute(
            image=self.coredns_image,
            dns_ip=DNS_SERVICE_IP,
            domain=CLUSTER_DOMAIN,
            storage_class=STORAGE_CLASS,
            provisioner=PROVISIONER,
        )
        applied = self.cluster.kubectl_run("apply", "--filename=-", stdin=addons)
        if applied.returncode != 0:
            raise RuntimeError(f"kubectl apply of CoreDNS and the StorageClass failed: {applied.stderr}")
        self.provisioner.start()
        self.wait("node", self.node_ready)
        self.wait("CoreDNS", self.coredns_available)
        version = self.api_get("/version") or {}
        return Cluster(
            kubeconfig=self.cluster.kubeconfig,
            kubectl=self.cluster.kubectl,
            version=str(version.get("gitVersion", "")),
            workdir=self.workdir,
        )

    def network(self) -> None:
        """The pods' bridge with the node's address, and the run's iptables chains."""
        _run("ip", "link", "add", BRIDGE, "type", "bridge")
        _run("ip", "address", "add", f"{NODE_IP}/{POD_CIDR.split('/')[1]}", "dev", BRIDGE)
        _run("ip", "link", "set", BRIDGE, "up")
        # Bridged pod-to-Service traffic must see kube-proxy's NAT rules; routing must be on.
        _set_sysctl("net/bridge/bridge-nf-call-iptables", "1")
        _set_sysctl("net/ipv4/ip_forward", "1")
        guarded = f"{self.ports.api},{self.ports.kubelet}"
        rules = [
            f"-N {FORWARD_CHAIN}",
            f"-A {FORWARD_CHAIN} -i {BRIDGE} -j ACCEPT",
            f"-A {FORWARD_CHAIN} -o {BRIDGE} -j ACCEPT",
            f"-I FORWARD 1 -j {FORWARD_CHAIN}",
            f"-N {INPUT_CHAIN}",
            f"-A {INPUT_CHAIN} -i lo -j RETURN",
            f"-A {INPUT_CHAIN} -i {BRIDGE} -j RETURN",
            f"-A {INPUT_CHAIN} -p tcp -m multiport --dports {guarded} -j DROP",
            f"-I INPUT 1 -j {INPUT_CHAIN}",
        ]
        restored = subprocess.run(
            ["iptables-restore", "--noflush"],
            input="*filter\n" + "\n".join(rules) + "\nCOMMIT\n",
            capture_output=True,
            text=True,
        )
        if restored.returncode != 0:
            raise RuntimeError(f"iptables-restore failed: {restored.stderr}")

    def certificates(self) -> None:
        """A CA per run, the apiserver's and kubelet's serving certificates, the apiserver's client
        certificate towards kubelet, and the service-account signing key (EC keys: fast)."""
        self.pki.mkdir(parents=True, exist_ok=True)
        config = self.pki / "openssl.cnf"
        config.write_text("[req]\ndistinguished_name = dn\nprompt = no\n[dn]\n")
        base = ["openssl", "req", "-x509", "-config", str(config), "-days", "3", "-nodes"]
        base += ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        ca = [
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]
        _run(*base, "-subj", "/CN=cookiecutter-ai-solution-k8s-ca", *ca,
             "-keyout", str(self.pki / "ca.key"), "-out", str(self.pki / "ca.crt"))  # fmt: skip
        signed = [*base, "-CA", str(self.pki / "ca.crt"), "-CAkey", str(self.pki / "ca.key")]
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
            extensions = [
                "-addext",
                "basicConstraints=critical,CA:FALSE",
                "-addext",
                f"extendedKeyUsage={usage}",
            ]
            if names:
                extensions += ["-addext", f"subjectAltName={names}"]
            _run(*signed, "-subj", subject, *extensions, "-keyout", str(self.pki / f"{name}.key"),
                 "-out", str(self.pki / f"{name}.crt"))  # fmt: skip
        key = str(self.pki / "service-account.key")
        _run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
        # The apiserver's --service-account-key-file reads public keys only (or RSA/SEC1 private ones).
        _run("openssl", "pkey", "-in", key, "-pubout", "-out", str(self.pki / "service-account.pub"))
        self.ssl = ssl.create_default_context(cafile=str(self.pki / "ca.crt"))

    def configs(self) -> None:
        workdir, tokens = self.workdir, self.tokens
        (workdir / "tokens.csv").write_text(
            f"{tokens['admin']},admin,admin,system:masters\n"
            f"{tokens['kcm']},system:kube-controller-manager,kcm\n"
            f"{tokens['scheduler']},system:kube-scheduler,scheduler\n"
            f"{tokens['kubelet']},system:node:{NODE_NAME},kubelet,system:nodes\n"
            f"{tokens['proxy']},system:kube-proxy,proxy\n"
        )
        (workdir / "tokens.csv").chmod(0o600)
        for name, token in tokens.items():
            path = workdir / ("kubeconfig" if name == "admin" else f"{name}.kubeconfig")
            write_kubeconfig(path, self.ports.api, token, ca=self.pki / "ca.crt")
        cni = workdir / "cni"
        (cni / "net.d").mkdir(parents=True, exist_ok=True)
        (cni / "net.d" / "10-ccais.conflist").write_text(
            json.dumps(
                {
                    "cniVersion": "1.0.0",
                    "name": CNI_NETWORK,
                    "plugins": [
                        {
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
                    ],
                },
                indent=2,
            )
        )
        self.pause_image, self.coredns_image = "", ""
        for tarball in self.tarballs():
            tag = _tarball_tags(tarball)[0]
            if "/pause:" in tag:
                self.pause_image = tag
            elif "/coredns:" in tag:
                self.coredns_image = tag
        if not (self.pause_image and self.coredns_image):
            raise BinariesMissing("the pause and CoreDNS image tarballs are missing; run make infra-k8s")
        (workdir / "containerd.toml").write_text(
            Template((MANIFESTS_DIR / "containerd.toml").read_text()).substitute(
                root=workdir / "containerd",
                state=RUN_DIR / "containerd",
                socket=CONTAINERD_SOCKET,
                runc_root=RUN_DIR / "runc",
                opt=workdir / "containerd" / "opt",
                sandbox_image=self.pause_image,
                cni_conf_dir=cni / "net.d",
            )
        )
        (workdir / "kubelet.yaml").write_text(
            Template((MANIFESTS_DIR / "kubelet.yaml").read_text()).substitute(
                socket=CONTAINERD_SOCKET,
                node_ip=NODE_IP,
                port=self.ports.kubelet,
                healthz_port=self.ports.kubelet_healthz,
                pki=self.pki,
                dns_ip=DNS_SERVICE_IP,
                domain=CLUSTER_DOMAIN,
                pod_logs=workdir / "pod-logs",
            )
        )
        (workdir / "kube-proxy.yaml").write_text(
            Template((MANIFESTS_DIR / "kube-proxy.yaml").read_text()).substitute(
                kubeconfig=workdir / "proxy.kubeconfig",
                pod_cidr=POD_CIDR,
                node=NODE_NAME,
                healthz=f"127.0.0.1:{self.ports.proxy_healthz}",
                metrics=f"127.0.0.1:{self.ports.proxy_metrics}",
            )
        )

    def tarballs(self) -> list[Path]:
        return sorted((self.bin_dir.parent / "images").glob("*.tar"))

    def import_tarballs(self) -> None:
        for tarball in self.tarballs():
            imported = self.cluster.ctr("images", "import", str(tarball))
            if imported.returncode != 0:
                raise RuntimeError(f"ctr images import {tarball} failed: {imported.stderr.strip()}")
        self.progress("pause and CoreDNS images imported")

    def apiserver_command(self) -> list[str]:
        pki = self.pki
        return [
            str(self.bin_dir / "kube-apiserver"),
            f"--etcd-servers=http://127.0.0.1:{self.ports.etcd}",
            # All addresses, but INPUT_CHAIN lets only loopback and the pods' bridge in.
            "--bind-address=0.0.0.0",
            f"--advertise-address={NODE_IP}",
            f"--secure-port={self.ports.api}",
            f"--tls-cert-file={pki / 'apiserver.crt'}",
            f"--tls-private-key-file={pki / 'apiserver.key'}",
            f"--client-ca-file={pki / 'ca.crt'}",
            f"--token-auth-file={self.workdir / 'tokens.csv'}",
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
        ]

    def controller_manager_command(self) -> list[str]:
        return [
            str(self.bin_dir / "kube-controller-manager"),
            f"--kubeconfig={self.workdir / 'kcm.kubeconfig'}",
            "--bind-address=127.0.0.1",
            f"--secure-port={self.ports.controller_manager}",
            f"--cert-dir={self.workdir / 'controller-manager'}",
            "--leader-elect=false",
            "--use-service-account-credentials=true",
            f"--service-account-private-key-file={self.pki / 'service-account.key'}",
            f"--root-ca-file={self.pki / 'ca.crt'}",
            "--profiling=false",
        ]

    def scheduler_command(self) -> list[str]:
        return [
            str(self.bin_dir / "kube-scheduler"),
            f"--kubeconfig={self.workdir / 'scheduler.kubeconfig'}",
            "--bind-address=127.0.0.1",
            f"--secure-port={self.ports.scheduler}",
            "--leader-elect=false",
            "--profiling=false",
        ]

    def kubelet_command(self) -> list[str]:
        return [
            str(self.bin_dir / "kubelet"),
            f"--config={self.workdir / 'kubelet.yaml'}",
            f"--kubeconfig={self.workdir / 'kubelet.kubeconfig'}",
            f"--root-dir={KUBELET_ROOT}",
            f"--cert-dir={self.pki}",
            f"--hostname-override={NODE_NAME}",
            f"--node-ip={NODE_IP}",
        ]

    def node_ready(self) -> bool:
        node = self.api_get(f"/api/v1/nodes/{NODE_NAME}")
        if not isinstance(node, dict):
            return False
        conditions = node.get("status", {}).get("conditions", [])
        taints = [taint.get("key") for taint in node.get("spec", {}).get("taints", [])]
        ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
        return ready and "node.kubernetes.io/not-ready" not in taints

    def coredns_available(self) -> bool:
        deployment = self.api_get("/apis/apps/v1/namespaces/kube-system/deployments/coredns")
        if not isinstance(deployment, dict):
            return False
        conditions = deployment.get("status", {}).get("conditions", [])
        return any(c.get("type") == "Available" and c.get("status") == "True" for c in conditions)

    # -- teardown --

    def stop(self) -> None:
        started = time.monotonic()
        self.progress("tearing down")
        if self.provisioner.is_alive():
            self.provisioner.stopping.set()
            self.provisioner.join(timeout=10)
        if "kubelet" in self.processes and self.processes["kubelet"].poll() is None:
            # Nothing recreates or reschedules pods while kubelet stops the ones there are.
            self.stop_process("kube-controller-manager")
            self.stop_process("kube-scheduler")
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
        for name in ("kube-proxy", "kubelet", "kube-scheduler", "kube-controller-manager", "containerd"):
            self.stop_process(name)
        for name in ("kube-apiserver", "etcd"):
            self.stop_process(name, grace_seconds=15)
        clean_host([self.workdir])
        # containerd's images and snapshots: hundreds of MB, of no use once the run is over.
        shutil.rmtree(self.workdir / "containerd", ignore_errors=True)
        self.progress(f"torn down in {time.monotonic() - started:.1f} s")


class _Provisioner(threading.Thread):
    """The default StorageClass's provisioner (kind's `standard` has one too): a hostPath
    PersistentVolume in workdir/volumes, writable by the pods' non-root users, for every Pending
    claim of that class; Released ones are deleted with their folder."""

    def __init__(self, run: _Run) -> None:
        super().__init__(name="hostpath-provisioner", daemon=True)
        self.cluster_run = run
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(1):
            try:
                self.provision()
            except Exception as error:  # a failed poll is retried
                self.cluster_run.progress(f"provisioner: {error!r}")

    def provision(self) -> None:
        api = self.cluster_run.api_get
        claims = api("/api/v1/persistentvolumeclaims") or {}
        for claim in claims.get("items", []):
            spec, meta = claim["spec"], claim["metadata"]
            if spec.get("storageClassName") != STORAGE_CLASS or spec.get("volumeName"):
                continue
            name = f"pvc-{meta['uid']}"
            folder = self.cluster_run.workdir / "volumes" / name
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


def _tarball_tags(tarball: Path) -> list[str]:
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("manifest.json")
        assert member is not None
        manifest: list[dict[str, list[str]]] = json.load(member)
    return [tag for entry in manifest for tag in entry.get("RepoTags", [])]


@contextmanager
def running_cluster(workdir: Path) -> Iterator[Cluster]:
    """A single-node cluster, yielded once the node is Ready and CoreDNS Available; torn down
    afterwards (also when starting fails), with the cluster's state in workdir on a failure."""
    if os.geteuid() != 0:
        raise NotRoot("the Kubernetes cluster needs root (containerd, kubelet, a bridge, iptables)")
    bin_dir = kubernetes_bin_dir("cluster")
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    # One cluster per machine (one bridge, one RUN_DIR): a second one would tear down the first.
    LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
    with LOCK_FILE.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(
                f"another test cluster is running on this machine ({LOCK_FILE} is locked)"
            ) from None
        run = _Run(workdir, bin_dir)
        try:
            try:
                cluster = run.start()
            except BaseException:
                run.cluster.dump_state()
                raise
            run.progress(f"cluster {cluster.version} up in {time.monotonic() - run.started:.1f} s")
            try:
                yield cluster
            except BaseException:
                cluster.dump_state()
                raise
        finally:
            run.stop()


# --- the self-check -----------------------------------------------------------------------------

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
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
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


if __name__ == "__main__":
    main()
