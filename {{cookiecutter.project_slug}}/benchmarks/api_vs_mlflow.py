"""Throughput and latency of our prediction API versus `mlflow models serve`, same model.

Both serve the same registered model (`models:/<name>@champion`) with one worker each on
127.0.0.1. Ours runs as shipped: OIDC auth on (a real signed token from the dev provider) and
the prediction log on (SQLite). A small asyncio load generator keeps N keep-alive connections
busy in timed rounds that alternate between the servers, for single-row and 100-row requests,
and prints req/s, p50, p99 and the ratio to MLflow. Ours is measured in each of its formats
(records, columnar, Open Inference v2); MLflow gets its most compact one, `dataframe_split`.
Load goes only to loopback, bounded in time.

    .venv/bin/python benchmarks/api_vs_mlflow.py               # trains tumor-classifier first
    .venv/bin/python benchmarks/api_vs_mlflow.py --rounds 5 --seconds 5 --clients 8
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pandas as pd

PACKAGE = "{{ cookiecutter.package_name }}"
TARGETS = {1: 10.0, 100: 5.0}  # minimum throughput ratio vs MLflow, by rows per request
P99_TARGET_MS = 50.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(url: str, process: subprocess.Popen[bytes], what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with code {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"{what} did not start within {timeout:.0f}s")


@contextmanager
def process(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        child = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        yield child
    finally:
        child.terminate()
        try:
            child.wait(20)
        except subprocess.TimeoutExpired:
            child.kill()


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    def __add__(self, other: Result) -> Result:
        return Result(
            self.requests + other.requests,
            self.errors + other.errors,
            self.seconds + other.seconds,
            self.latencies_ms + other.latencies_ms,
        )

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(q) - 1]


async def _one_connection(
    port: int, request: bytes, stop_at: float, latencies: list[float], counts: list[int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            headers = {
                k.strip().lower(): v.strip()
                for k, _, v in (line.partition(b":") for line in head.split(b"\r\n")[1:] if line)
            }
            if b"content-length" in headers:
                await reader.readexactly(int(headers[b"content-length"]))
            else:  # chunked
                while True:
                    size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                    await reader.readexactly(size + 2)
                    if size == 0:
                        break
            latencies.append((time.perf_counter() - started) * 1000)
            counts[0 if status == 200 else 1] += 1
    finally:
        writer.close()


async def _load(port: int, request: bytes, clients: int, seconds: float) -> Result:
    # Warm-up, not measured: first requests pay for lazy imports and caches.
    await asyncio.gather(
        *(
            _one_connection(port, request, time.perf_counter() + 1.0, [], [0, 0])
            for _ in range(clients)
        )
    )
    latencies: list[float] = []
    counts = [0, 0]
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(
        *(_one_connection(port, request, stop_at, latencies, counts) for _ in range(clients))
    )
    return Result(counts[0], counts[1], time.perf_counter() - started, latencies)


def http_request(port: int, path: str, body: dict[str, object], token: str | None) -> bytes:
    payload = json.dumps(body).encode()
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(payload)}",
    ]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="tumor-classifier", help="Registered model to serve.")
    parser.add_argument("--clients", type=int, default=8, help="Concurrent keep-alive connections.")
    parser.add_argument("--seconds", type=float, default=5.0, help="Measured time per round.")
    parser.add_argument(
        "--rounds", type=int, default=3, help="Alternating rounds per server and scenario."
    )
    parser.add_argument(
        "--tracking-uri", help="Use this registry (must hold <model>@champion) instead of training."
    )
    args = parser.parse_args()
    from {{ cookiecutter.package_name }}.devtokens import issue_dev_token

    work = Path(tempfile.mkdtemp(prefix="bench-api-"))
    tracking_uri = args.tracking_uri or f"sqlite:///{work / 'mlflow.db'}"
    env = {
        **os.environ,
        "ENVIRONMENT": "dev",
        "DATA_DIR": str(work),
        "MLFLOW_TRACKING_URI": tracking_uri,
        "DATABASE_URL": f"sqlite:///{work / 'app.db'}",
        "SERVED_MODELS": args.model,
        "AUTH_ENABLED": "true",
        "LOG_LEVEL": "WARNING",
        # `mlflow models serve` starts `uvicorn` by name: it must find our environment's.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    python = sys.executable
    if not args.tracking_uri:
        print(f"training {args.model} into {tracking_uri} ...", flush=True)
        register_champion(args.model, tracking_uri)

    oidc_port, api_port, mlflow_port = free_port(), free_port(), free_port()
    issuer = f"http://127.0.0.1:{oidc_port}"
    env["OIDC_ISSUER_URL"] = issuer
    with ExitStack() as stack:
        oidc = stack.enter_context(
            process(
                [
                    python,
                    "-m",
                    f"{PACKAGE}.dev_identity",
                    "--port",
                    str(oidc_port),
                    "--audience",
                    env.get("OIDC_AUDIENCE", "{{ cookiecutter.project_slug }}-api"),
                ],
                env,
                work / "oidc.log",
            )
        )
        wait_for(f"{issuer}/.well-known/openid-configuration", oidc, "oidc-provider-mock")
        api = stack.enter_context(
            process(
                [python, "-m", PACKAGE, "serve", "--port", str(api_port)], env, work / "api.log"
            )
        )
        served = stack.enter_context(
            process(
                [
                    python,
                    "-m",
                    "mlflow",
                    "models",
                    "serve",
                    "-m",
                    f"models:/{args.model}@champion",
                    "--env-manager",
                    "local",
                    "--host",
                    "127.0.0.1",
                    "-p",
                    str(mlflow_port),
                    "-w",
                    "1",
                ],
                env,
                work / "mlflow-serve.log",
            )
        )
        print("starting our API and mlflow models serve ...", flush=True)
        wait_for(f"http://127.0.0.1:{api_port}/health/ready", api, "our API")
        wait_for(f"http://127.0.0.1:{mlflow_port}/ping", served, "mlflow models serve")
        token = issue_dev_token(
            issuer=issuer,
            sub="bench",
            roles=["predictor"],
            roles_claim=env.get("OIDC_ROLES_CLAIM", "realm_access.roles"),
        )
        columns = [
            c["name"]
            for c in httpx.get(
                f"http://127.0.0.1:{api_port}/v1/models",
                headers={"Authorization": f"Bearer {token}"},
            ).json()[0]["inputs"]
        ]
        example = _example_rows(args.model, columns)

        print(
            f"\n{args.model}: {args.clients} clients, {args.rounds} rounds of {args.seconds:.0f}s "
            "per server and scenario, one worker each\n"
        )
        print(
            f"{'scenario':<16}{'server':<16}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}"
        )
        verdicts = []
        for rows in (1, 100):
            records = (example * (rows // len(example) + 1))[:rows]
            split = {"columns": columns, "data": [[r[c] for c in columns] for r in records]}
            tensors = [
                {"name": c, "shape": [rows], "datatype": "FP64", "data": [r[c] for r in records]}
                for c in columns
            ]
            ours_requests = {
                "records": ("/v1/models/{}/predict", {"records": records}),
                "columnar": ("/v1/models/{}/predict", split),
                "v2": ("/v2/models/{}/infer", {"inputs": tensors}),
            }
            requests = {
                f"ours {name}": (
                    api_port,
                    http_request(api_port, path.format(args.model), body, token),
                )
                for name, (path, body) in ours_requests.items()
            }
            # MLflow's most compact format.
            requests["mlflow"] = (
                mlflow_port,
                http_request(mlflow_port, "/invocations", {"dataframe_split": split}, None),
            )
            # Alternating rounds: a machine whose speed drifts affects all servers alike.
            results = {name: Result(0, 0, 0.0, []) for name in requests}
            for _ in range(args.rounds):
                for name, (port, request) in requests.items():
                    results[name] += asyncio.run(_load(port, request, args.clients, args.seconds))
            for name, result in results.items():
                print(
                    f"{f'{rows}-row':<16}{name:<16}{result.rps:>10.0f}{result.percentile(50):>10.1f}"
                    f"{result.percentile(99):>10.1f}{result.errors:>8}"
                )
            theirs = results["mlflow"]
            target = TARGETS[rows]
            for name in ours_requests:
                ours = results[f"ours {name}"]
                ratio = ours.rps / theirs.rps if theirs.rps else float("inf")
                ok = ratio >= target and (rows != 1 or ours.percentile(99) < P99_TARGET_MS)
                verdicts.append(ok)
                p99_note = (
                    f", p99 {ours.percentile(99):.1f} ms (target < {P99_TARGET_MS:.0f})"
                    if rows == 1
                    else ""
                )
                print(
                    f"{'':<16}{name}: ratio {ratio:.1f}x (target >= {target:.0f}x){p99_note}: "
                    f"{'PASS' if ok else 'MISS'}"
                )
            print()
        print(f"logs and data: {work}")
        if not all(verdicts):
            print("note: figures depend on the machine; rerun on an idle one before judging")


def register_champion(model: str, tracking_uri: str) -> None:
    """Train the project's `model` on its example data and register it as champion."""
    import mlflow
    import skops.io
    from mlflow.models import infer_signature

    from {{ cookiecutter.package_name }}.models import catalog

    spec = catalog.get(model)
    if spec.example_data is None:
        raise SystemExit(
            f"{model} has no example data; pass --tracking-uri of a registry holding it"
        )
    frame = spec.example_data().dropna()
    features, target = frame.drop(columns=[spec.target]), frame[spec.target]
    estimator = spec.build_estimator().fit(features, target)
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    mlflow.set_experiment(model)
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(
            estimator,
            name="model",
            signature=infer_signature(features, estimator.predict(features)),
            registered_model_name=model,
            pip_requirements=["scikit-learn", "pandas"],
            # MLflow's safe (skops) format: trust exactly the types of the model trained here.
            skops_trusted_types=skops.io.get_untrusted_types(data=skops.io.dumps(estimator)),
        )
    mlflow.MlflowClient().set_registered_model_alias(
        model, "champion", str(info.registered_model_version)
    )


def _example_rows(model: str, columns: list[str]) -> list[dict[str, object]]:
    """Realistic rows for `model` from its own example data (falls back to zeros)."""
    try:
        from {{ cookiecutter.package_name }}.models import catalog

        frame: pd.DataFrame = catalog.get(model).example_data()
        rows: list[dict[str, object]] = frame[columns].head(50).to_dict(orient="records")  # type: ignore[assignment]
        return rows
    except Exception:
        return [dict.fromkeys(columns, 0.0)]


if __name__ == "__main__":
    main()
