"""Drift page: recent logged inputs against the training data, one KS test per numeric feature."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}.dashboard import charts, loaders
from {{ cookiecutter.package_name }}.dashboard.drift import detect_drift, drift_table, histograms
from {{ cookiecutter.package_name }}.dashboard.gate import current_user
from {{ cookiecutter.package_name }}.dashboard.prediction_log import PredictionLogReadError, logged_inputs
from {{ cookiecutter.package_name }}.dashboard.reference_data import (
    ReferenceDataError,
    load_table,
    raw_data_files,
    run_dataset_files,
)
from {{ cookiecutter.package_name }}.dashboard.registry_reader import CHAMPION, RegistryReadError, registry_client

UPLOAD = "upload a file..."

settings = get_settings()
current_user()
st.title("Drift")
st.caption(
    "Recent inputs the API received against the training data (two-sample Kolmogorov-Smirnov)."
)

try:
    models = loaders.models(settings.mlflow_tracking_uri, tuple(settings.served_models))
except RegistryReadError as error:
    st.error(str(error))
    st.stop()
registered = {name: model for name, model in models.items() if model is not None}
if not registered:
    st.info("No model is registered yet, so there is nothing to compare. Train one first.")
    st.stop()

controls = st.columns(3)
name = controls[0].selectbox("Model", list(registered))
recent_rows = controls[1].select_slider(
    "Recent predictions", options=[100, 500, 1000, 5000], value=1000
)
alpha = controls[2].select_slider("Significance level", options=[0.01, 0.05, 0.1], value=0.05)

champion = registered[name].version_at(CHAMPION)
candidates = run_dataset_files(
    client=registry_client(settings.mlflow_tracking_uri),
    run_id=champion.run_id if champion else None,
) + raw_data_files(settings.data_dir / "raw")
labels = {str(path): path for path in dict.fromkeys(candidates)}
choice = st.selectbox(
    "Training data", [*labels, UPLOAD], help="Logged by the training run, or found in DATA_DIR/raw."
)
try:
    if choice == UPLOAD:
        upload = st.file_uploader("Training data (.csv or .parquet)", type=["csv", "parquet"])
        if upload is None:
            st.stop()
        reference = load_table(upload.getvalue(), name=upload.name)
    else:
        reference = load_table(Path(choice), name=choice)
except ReferenceDataError as error:
    st.error(str(error))
    st.stop()

try:
    log = loaders.recent_predictions(settings.database_url.get_secret_value(), recent_rows, name)
except PredictionLogReadError as error:
    st.error(str(error))
    st.stop()
current = logged_inputs(log) if log is not None else pd.DataFrame()
if current.empty:
    st.info(f"No logged inputs for {name} yet: make some predictions, then come back.")
    st.stop()

results = detect_drift(reference=reference, current=current, alpha=alpha)
if not results:
    st.warning("The training data and the logged inputs share no numeric feature.")
    st.stop()
drifted = [r.feature for r in results if r.drifted]
if drifted:
    st.error(f"Drift in {len(drifted)} of {len(results)} features: {', '.join(drifted)}")
else:
    st.success(f"No drift detected in {len(results)} features at significance level {alpha}.")
table = drift_table(results)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "p_value": st.column_config.NumberColumn(format="%.2e"),
        "ks_statistic": st.column_config.NumberColumn(format="%.3f"),
    },
)

# Most drifted first, so the chart opens on the feature that needs attention.
feature = st.selectbox("Feature to plot", table["feature"].tolist())
st.altair_chart(
    charts.distribution_comparison(
        histograms(reference=reference, current=current, feature=feature), feature
    )
)
