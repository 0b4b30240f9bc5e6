"""The pods' network on the host: the bridge holding the node's address, the run's own iptables
chains, and the removal of those and of kubelet's and kube-proxy's (every `KUBE-*` chain)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path

from tests.infra.cluster.settings import BRIDGE, NODE_IP, POD_CIDR
from tests.infra.cluster.shell import run_checked, run_quiet

# The run's own chains: pods' traffic through Docker's FORWARD policy DROP, and the apiserver's and
# kubelet's ports closed to everything but loopback and the pods.
FORWARD_CHAIN = "CCAIS-K8S-FORWARD"
INPUT_CHAIN = "CCAIS-K8S-INPUT"
OWN_CHAIN_PREFIXES = ("KUBE-", "CCAIS-K8S-")
IPTABLES = ("iptables", "ip6tables")


def create_network(guarded_ports: Sequence[int]) -> None:
    """The bridge with the node's address, and the run's chains guarding `guarded_ports`."""
    run_checked("ip", "link", "add", BRIDGE, "type", "bridge")
    run_checked("ip", "address", "add", f"{NODE_IP}/{POD_CIDR.split('/')[1]}", "dev", BRIDGE)
    run_checked("ip", "link", "set", BRIDGE, "up")
    # Bridged pod-to-Service traffic must see kube-proxy's NAT rules; routing must be on.
    _set_sysctl("net/bridge/bridge-nf-call-iptables", "1")
    _set_sysctl("net/ipv4/ip_forward", "1")
    guarded = ",".join(str(port) for port in guarded_ports)
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
    run_checked("iptables-restore", "--noflush", stdin="*filter\n" + "\n".join(rules) + "\nCOMMIT\n")


def _set_sysctl(name: str, value: str) -> None:
    path = Path("/proc/sys") / name
    if path.read_text().strip() != value:
        path.write_text(value)


def bridge_exists() -> bool:
    return Path(f"/sys/class/net/{BRIDGE}").exists()


def remove_bridge() -> None:
    if bridge_exists():
        run_quiet("ip", "link", "delete", BRIDGE)


def own_chains() -> dict[str, dict[str, list[str]]]:
    """family tool -> table -> the run's chains there (kubelet's and kube-proxy's KUBE-*, ours)."""
    return {tool: tables for tool in IPTABLES if (tables := _own_chains_in(run_quiet(f"{tool}-save")))}


def _own_chains_in(dump: str) -> dict[str, list[str]]:
    chains: dict[str, list[str]] = {}
    table = ""
    for line in dump.splitlines():
        if line.startswith("*"):
            table = line[1:]
        elif line.startswith(":") and line[1:].startswith(OWN_CHAIN_PREFIXES):
            chains.setdefault(table, []).append(line[1:].split()[0])
    return chains


def remove_own_chains() -> None:
    """Every KUBE-* and CCAIS-K8S-* chain and the rules that jump to them, in one restore per family
    (what `kube-proxy --cleanup` does for its own, plus kubelet's and this run's)."""
    for tool in IPTABLES:
        dump = run_quiet(f"{tool}-save")
        tables = _own_chains_in(dump)
        if not tables:
            continue
        jumps: dict[str, list[str]] = {}
        table = ""
        for line in dump.splitlines():
            if line.startswith("*"):
                table = line[1:]
            elif line.startswith("-A ") and table in tables:
                words = shlex.split(line)
                chain, target = words[1], _jump_target(words)
                if not chain.startswith(OWN_CHAIN_PREFIXES) and target.startswith(OWN_CHAIN_PREFIXES):
                    jumps.setdefault(table, []).append("-D" + line[2:])
        script = []
        for table, chains in tables.items():
            script.append(f"*{table}")
            script.extend(jumps.get(table, []))
            script.extend(f"-F {chain}" for chain in chains)
            script.extend(f"-X {chain}" for chain in chains)
            script.append("COMMIT")
        run_quiet(f"{tool}-restore", "--noflush", stdin="\n".join(script) + "\n")


def _jump_target(words: list[str]) -> str:
    for flag in ("-j", "-g", "--jump", "--goto"):
        if flag in words and words.index(flag) + 1 < len(words):
            return words[words.index(flag) + 1]
    return ""
