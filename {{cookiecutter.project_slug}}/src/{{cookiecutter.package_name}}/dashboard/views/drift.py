"""Drift page: recent logged inputs against the training data, one KS test per numeric feature."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}.dashboard import charts, loaders
from {{ cookiecutter.package_name }}.dashboard.drift import (
    detect_drift,
    drift_table,
    histograms,
    untestable,
)
from {{ cookiecutter.package_name }}.dashboard.reference_data import (
    ReferenceDataError,
    load_table,
    raw_data_files,
)
from {{ cookiecutter.package_name }}.dashboard.sign_in import current_user
from {{ cookiecutter.package_name }}.db.log_reader import PredictionLogReadError
from {{ cookiecutter.package_name }}.registry.names import CHAMPION

UPLOAD = "upload a file..."

settings = get_settings()
current_user()
st.title("Drift")
st.caption(
    "Recent inputs the API received against the training data (two-sample Kolmogorov-Smirnov)."
)

models = loaders.models_or_stop(settings)
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
candidates = [
    Path(file)
    for file in loaders.training_files(
        settings.mlflow_tracking_uri, champion.run_id if champion else None
    )
] + raw_data_files(settings.data_dir / "raw")
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
    current = loaders.recent_inputs(settings.database_url.get_secret_value(), recent_rows, name)
except PredictionLogReadError as error:
    st.error(str(error))
    st.stop()
if current is None or current.empty:
    st.info(f"No logged inputs for {name} yet: make some predictions, then come back.")
    st.stop()

results = detect_drift(reference=reference, current=current, alpha=alpha)
if not results:
    st.warning("The training data and the logged inputs share no numeric feature.")
    st.stop()
drifted = [r.feature for r in results if r.drifted]
if (too_few := untestable(results)) is not None:
    st.warning(f"Drift cannot be tested yet: {too_few}.")
elif drifted:
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
