"""Predictions page: the newest rows of the API's prediction log."""

from __future__ import annotations

import streamlit as st

from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}.dashboard import loaders
from {{ cookiecutter.package_name }}.dashboard.gate import current_user
from {{ cookiecutter.package_name }}.dashboard.prediction_log import TABLE_NAME, PredictionLogReadError
from {{ cookiecutter.package_name }}.dashboard.urls import without_password

settings = get_settings()
current_user()
database_url = settings.database_url.get_secret_value()
st.title("Predictions")
st.caption(f"App database: `{without_password(database_url)}`")

filters = st.columns(2)
model = filters[0].selectbox("Model", ["all models", *settings.served_models])
limit = filters[1].select_slider("Rows", options=[50, 100, 200, 500, 1000], value=200)
try:
    log = loaders.recent_predictions(database_url, limit, None if model == "all models" else model)
except PredictionLogReadError as error:
    st.error(str(error))
    st.stop()

if log is None:
    st.info(
        f"No prediction log yet: the table `{TABLE_NAME}` does not exist in the app database. "
        "Create it with `{{ cookiecutter.project_slug }} db upgrade`, start the API "
        "(`{{ cookiecutter.project_slug }} serve`) and make a prediction."
    )
    st.stop()
if log.empty:
    st.info("The prediction log is empty: no prediction has been served yet.")
    st.stop()

summary = st.columns(3)
summary[0].metric("Requests shown", len(log))
if "latency_ms" in log.columns:
    summary[1].metric("Median latency", f"{log['latency_ms'].median():.1f} ms")
if "model_name" in log.columns and "model_version" in log.columns:
    summary[2].metric(
        "Model versions", log[["model_name", "model_version"]].drop_duplicates().shape[0]
    )
st.dataframe(log, hide_index=True, width="stretch")
