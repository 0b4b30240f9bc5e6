"""What a run changes on the host outside its workdir, and how it is put back: its processes (by
recorded id, and containerd's shims by the run's socket, with all their children: the pods),
mounts, kubelet's cgroups and /var/log/containers links, libcni's cache, the network, the sysctls
kubelet sets, and RUN_DIR; and the lock that lets one cluster run per machine."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from tests.infra.cluster.network import bridge_exists, own_chains, remove_bridge, remove_own_chains
from tests.infra.cluster.settings import BRIDGE, CNI_CACHE, CNI_NETWORK, CONTAINERD_SOCKET, RUN_DIR

# Held for a run's whole life (flock), in the usual folder for locks.
LOCK_FILE = Path("/run/lock/cookiecutter-ai-solution-k8s.lock")
# kubelet sets the first six (protectKernelDefaults off), kube-proxy the next; the run the last two.
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


@contextmanager
def one_cluster_per_machine() -> Iterator[None]:
    """One bridge, one RUN_DIR: a second cluster would tear down the first, so it fails instead."""
    LOCK_FILE.parent.mkdir(parents=True, exist_ok=True)
    with LOCK_FILE.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(
                f"another test cluster is running on this machine ({LOCK_FILE} is locked)"
            ) from None
        yield


def record_run(workdir: Path) -> None:
    """What the next start needs to clean up after this run if it crashes: its workdir, sysctls."""
    (RUN_DIR / "pids").mkdir(parents=True)
    (RUN_DIR / "workdir").write_text(f"{workdir}\n")
    values = {}
    for name in SYSCTLS:
        with suppress(OSError):
            values[name] = (Path("/proc/sys") / name).read_text().strip()
    (RUN_DIR / "sysctls.json").write_text(json.dumps(values))


def record_process(name: str, pid: int) -> None:
    # With its start time: a recycled id is not the run's process.
    (RUN_DIR / "pids" / name).write_text(f"{pid} {_proc_start_time(pid)}")


def forget_process(name: str) -> None:
    (RUN_DIR / "pids" / name).unlink(missing_ok=True)


def leftovers(workdir: Path | None = None) -> list[str]:
    """What a run left on the host (empty after a clean teardown)."""
    workdirs = _recorded_workdirs() + ([workdir.resolve()] if workdir else [])
    found = [f"process {pid}: {' '.join(argv)}" for pid, argv in _own_processes().items()]
    found += [f"mount {point}" for point in _mounts_under([RUN_DIR, *workdirs])]
    found += [f"cgroup {path}" for path in _kubepods_cgroups()]
    found += [f"iptables chain {tool} {table} {chain}" for tool, tables in own_chains().items()
              for table, chains in tables.items() for chain in chains]  # fmt: skip
    found += [f"log link {link}" for link in _log_symlinks(workdirs)]
    found += [f"CNI result {result}" for result in CNI_CACHE.glob(f"results/{CNI_NETWORK}-*")]
    if bridge_exists():
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
    remove_bridge()
    remove_own_chains()
    _restore_sysctls()
    # libcni's cache (a fixed folder): the run's network's results, and the folders if empty.
    for result in CNI_CACHE.glob(f"results/{CNI_NETWORK}-*"):
        result.unlink(missing_ok=True)
    for folder in (CNI_CACHE / "results", CNI_CACHE):
        with suppress(OSError):
            folder.rmdir()
    shutil.rmtree(RUN_DIR, ignore_errors=True)


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


def _own_processes() -> dict[int, list[str]]:
    """pid -> argv of the run's leftover processes, by the ids it recorded and by the socket its
    containerd's shims name (`-address RUN_DIR/containerd.sock`), with all their descendants."""
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
    return {pid: table.get(pid, (0, []))[1] for pid in sorted(found)}


def _mounts_under(prefixes: Sequence[Path]) -> list[str]:
    mounts = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if any(point == str(prefix) or point.startswith(f"{prefix}/") for prefix in prefixes):
            mounts.append(point)
    return sorted(set(mounts), key=len, reverse=True)


def _kubepods_cgroups() -> list[Path]:
    roots = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        if fields[fields.index("-") + 1] in ("cgroup", "cgroup2"):
            roots.append(Path(fields[4]))
    return [root / "kubepods" for root in roots if (root / "kubepods").is_dir()]


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


def _log_symlinks(workdirs: Sequence[Path]) -> list[Path]:
    """kubelet's /var/log/containers links (a fixed folder) that point into a run's pod logs."""
    found = []
    for link in Path("/var/log/containers").glob("*.log"):
        target = os.readlink(link) if link.is_symlink() else ""
        if any(target.startswith(f"{workdir}/") for workdir in workdirs):
            found.append(link)
    return found


def _recorded_workdirs() -> list[Path]:
    try:
        return [Path(line) for line in (RUN_DIR / "workdir").read_text().splitlines() if line]
    except OSError:
        return []


def _restore_sysctls() -> None:
    try:
        values: dict[str, str] = json.loads((RUN_DIR / "sysctls.json").read_text())
    except (OSError, ValueError):
        return
    for name, value in values.items():
        path = Path("/proc/sys") / name
        with suppress(OSError):
            if path.read_text().strip() != value:
                path.write_text(value)
