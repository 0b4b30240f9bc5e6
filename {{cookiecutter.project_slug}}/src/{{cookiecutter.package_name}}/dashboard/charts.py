"""Chart specifications (Altair), built from plain data frames so they can be checked in tests."""

from __future__ import annotations

import altair as alt
import pandas as pd


def metric_across_versions(frame: pd.DataFrame, metric: str) -> alt.Chart:
    """A line of `metric` per version number; points carry the version's aliases."""
    chart: alt.Chart = (
        alt.Chart(frame, title=f"{metric} by version")
        .mark_line(point=True)
        .encode(
            x=alt.X("version:O", title="version"),
            y=alt.Y("value:Q", title=metric, scale=alt.Scale(zero=False)),
            tooltip=["version", "value", "aliases"],
        )
    )
    return chart


def distribution_comparison(frame: pd.DataFrame, feature: str) -> alt.Chart:
    """Overlaid histograms (share per bin) of training data and recent inputs for one feature."""
    chart: alt.Chart = (
        alt.Chart(frame, title=f"{feature}: training data vs recent inputs")
        .mark_bar(opacity=0.55, binSpacing=0)
        .encode(
            x=alt.X("bin_start:Q", bin="binned", title=feature),
            x2="bin_end:Q",
            y=alt.Y("share:Q", stack=None, title="share of rows", axis=alt.Axis(format="%")),
            color=alt.Color(
                "sample:N",
                title=None,
                scale=alt.Scale(
                    domain=["training data", "recent inputs"], range=["#8c9bab", "#e4572e"]
                ),
            ),
            tooltip=["sample", "bin_start", "bin_end", alt.Tooltip("share:Q", format=".1%")],
        )
    )
    return chart


def requests_over_time(frame: pd.DataFrame, interval: str) -> alt.Chart:
    """Bars of requests per interval (`time`, `requests` columns)."""
    chart: alt.Chart = (
        alt.Chart(frame, title=f"Requests per {interval}")
        .mark_bar()
        .encode(
            x=alt.X("time:T", title=None),
            y=alt.Y("requests:Q", title="requests"),
            tooltip=[alt.Tooltip("time:T", format="%Y-%m-%d %H:%M"), "requests"],
        )
    )
    return chart


def latency_over_time(frame: pd.DataFrame, interval: str) -> alt.Chart:
    """Median and 95th-percentile latency per interval, as two lines."""
    long = frame.melt(
        id_vars=["time"],
        value_vars=["median_latency_ms", "p95_latency_ms"],
        var_name="statistic",
        value_name="latency_ms",
    ).dropna()
    long["statistic"] = long["statistic"].map(
        {"median_latency_ms": "median", "p95_latency_ms": "95th percentile"}
    )
    chart: alt.Chart = (
        alt.Chart(long, title=f"Latency per {interval}")
        .mark_line(point=True)
        .encode(
            x=alt.X("time:T", title=None),
            y=alt.Y("latency_ms:Q", title="latency (ms)"),
            color=alt.Color("statistic:N", title=None),
            tooltip=[alt.Tooltip("time:T", format="%Y-%m-%d %H:%M"), "statistic", "latency_ms"],
        )
    )
    return chart
