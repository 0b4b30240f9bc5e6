"""Prometheus metrics of one app instance (own registry: several apps may share a process)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests",
            "HTTP requests by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency by route.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.predictions = Counter(
            "predictions",
            "Records predicted, by model and version.",
            ["model", "version"],
            registry=self.registry,
        )
        self.prediction_errors = Counter(
            "prediction_errors",
            "Failed predict requests by model and reason.",
            ["model", "reason"],
            registry=self.registry,
        )
        self.log_written = Counter(
            "prediction_log_rows_written", "Prediction-log rows stored.", registry=self.registry
        )
        self.log_dropped = Counter(
            "prediction_log_rows_dropped",
            "Prediction-log rows given up on (database down too long, or shutdown).",
            registry=self.registry,
        )
        self.log_pending = Gauge(
            "prediction_log_rows_pending",
            "Prediction-log rows waiting to be written.",
            registry=self.registry,
        )
        self.model_version = Gauge(
            "model_served",
            "1 for the version of each model being served.",
            ["model", "version"],
            registry=self.registry,
        )
        self.registry_up = Gauge(
            "model_registry_up", "1 if the last registry check succeeded.", registry=self.registry
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def model_loaded(self, name: str, version: str, previous: str | None) -> None:
        if previous is not None and previous != version:
            self.model_version.labels(name, previous).set(0)
        self.model_version.labels(name, version).set(1)

    def track_pending(self, pending: Callable[[], int]) -> None:
        self.log_pending.set_function(pending)

    def render(self) -> bytes:
        return generate_latest(self.registry)
