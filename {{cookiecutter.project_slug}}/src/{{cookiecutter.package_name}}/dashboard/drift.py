"""Input drift: does what the API receives still look like what the model was trained on?

Each numeric feature is compared with the two-sample Kolmogorov-Smirnov test (scipy). A feature
drifts when the test rejects "same distribution" at the chosen significance level.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

# Below this many values per sample the KS test says little; such features are reported, not judged.
MIN_SAMPLE_SIZE = 5


@dataclass(frozen=True)
class FeatureDrift:
    """The KS test of one feature: statistic, p-value and the verdict at `alpha`."""

    feature: str
    statistic: float | None
    p_value: float | None
    drifted: bool | None
    reference_size: int
    current_size: int


def numeric_features(
    reference: pd.DataFrame, current: pd.DataFrame, only: Iterable[str] | None = None
) -> list[str]:
    """Columns numeric in both frames (and in `only`, when given), in the reference's order."""
    wanted = set(only) if only is not None else None
    return [
        str(name)
        for name in reference.columns
        if name in current.columns
        and (wanted is None or name in wanted)
        and pd.api.types.is_numeric_dtype(reference[name])
        and pd.api.types.is_numeric_dtype(current[name])
    ]


def detect_drift(
    *,
    reference: pd.DataFrame,
    current: pd.DataFrame,
    alpha: float = 0.05,
    features: Iterable[str] | None = None,
) -> list[FeatureDrift]:
    """One KS test per shared numeric feature; too-small samples get no verdict (None)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    results = []
    for name in numeric_features(reference, current, features):
        ref = reference[name].dropna().to_numpy(dtype=float)
        cur = current[name].dropna().to_numpy(dtype=float)
        if min(len(ref), len(cur)) < MIN_SAMPLE_SIZE:
            results.append(FeatureDrift(name, None, None, None, len(ref), len(cur)))
            continue
        test = ks_2samp(ref, cur)
        statistic, p_value = float(test.statistic), float(test.pvalue)
        results.append(FeatureDrift(name, statistic, p_value, p_value < alpha, len(ref), len(cur)))
    return results


def untestable(results: Iterable[FeatureDrift]) -> str | None:
    """Why no feature could be tested, e.g. "not enough recent inputs (3 of at least 5)";
    None when at least one feature got a verdict."""
    results = list(results)
    if not results or any(r.drifted is not None for r in results):
        return None
    recent = min(r.current_size for r in results)
    if recent < MIN_SAMPLE_SIZE:
        return f"not enough recent inputs ({recent} of at least {MIN_SAMPLE_SIZE})"
    reference = min(r.reference_size for r in results)
    return f"not enough training rows ({reference} of at least {MIN_SAMPLE_SIZE})"


def drift_table(results: Iterable[FeatureDrift]) -> pd.DataFrame:
    """The results as a table, drifted features first."""
    frame = pd.DataFrame(
        [
            {
                "feature": r.feature,
                "drifted": r.drifted,
                "ks_statistic": r.statistic,
                "p_value": r.p_value,
                "reference_rows": r.reference_size,
                "recent_rows": r.current_size,
            }
            for r in results
        ],
        columns=["feature", "drifted", "ks_statistic", "p_value", "reference_rows", "recent_rows"],
    )
    return frame.sort_values(
        ["drifted", "ks_statistic"], ascending=False, na_position="last"
    ).reset_index(drop=True)


def histograms(
    *, reference: pd.DataFrame, current: pd.DataFrame, feature: str, bins: int = 20
) -> pd.DataFrame:
    """Share of each sample per bin, on bins shared by both samples (long format, for plotting)."""
    ref = reference[feature].dropna().to_numpy(dtype=float)
    cur = current[feature].dropna().to_numpy(dtype=float)
    both = np.concatenate([ref, cur])
    if both.size == 0:
        return pd.DataFrame(columns=["bin_start", "bin_end", "sample", "share"])
    edges = np.histogram_bin_edges(both, bins=bins)
    rows = []
    for sample, values in (("training data", ref), ("recent inputs", cur)):
        counts, _ = np.histogram(values, bins=edges)
        shares = counts / counts.sum() if counts.sum() else counts.astype(float)
        rows += [
            {"bin_start": float(lo), "bin_end": float(hi), "sample": sample, "share": float(share)}
            for lo, hi, share in zip(edges[:-1], edges[1:], shares, strict=True)
        ]
    return pd.DataFrame(rows)
