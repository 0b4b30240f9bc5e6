"""Tables and chart data the Models page shows, built from the registry's model summaries."""

from __future__ import annotations

import pandas as pd

from {{ cookiecutter.package_name }}.registry.reader import ModelSummary


def metric_by_version(model: ModelSummary, metric: str) -> pd.DataFrame:
    """`version`, `value`, `aliases` rows for the versions that logged `metric`, oldest first."""
    rows = [
        {"version": v.version, "value": v.metrics[metric], "aliases": ", ".join(v.aliases)}
        for v in sorted(model.versions, key=lambda v: v.version)
        if metric in v.metrics
    ]
    return pd.DataFrame(rows, columns=["version", "value", "aliases"])


def versions_table(model: ModelSummary) -> pd.DataFrame:
    """One row per version: number, aliases, status, gate verdict, creation time and each metric."""
    metric_names = model.metric_names()
    rows = [
        {
            "version": v.version,
            "aliases": ", ".join(v.aliases),
            "status": v.status,
            "gate": v.gate_decision,
            "created": v.created_at,
            **{name: v.metrics.get(name) for name in metric_names},
        }
        for v in model.versions
    ]
    columns = ["version", "aliases", "status", "gate", "created", *metric_names]
    return pd.DataFrame(rows, columns=columns)
