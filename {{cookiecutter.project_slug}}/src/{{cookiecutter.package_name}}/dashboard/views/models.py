"""Models page: each configured model's served version, aliases, metrics and their history."""

from __future__ import annotations

import streamlit as st

from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}.dashboard import charts, loaders
from {{ cookiecutter.package_name }}.dashboard.model_tables import (
    metric_by_version,
    versions_table,
)
from {{ cookiecutter.package_name }}.dashboard.sign_in import current_user
from {{ cookiecutter.package_name }}.dashboard.urls import without_password
from {{ cookiecutter.package_name }}.registry.names import CHALLENGER, CHAMPION

TRAIN_COMMAND = "{{ cookiecutter.project_slug }} pipeline run"
PROMOTE_COMMAND = "{{ cookiecutter.project_slug }} models promote"

settings = get_settings()
current_user()
st.title("Models")
st.caption(f"Registry: `{without_password(settings.mlflow_tracking_uri)}`")

models = loaders.models_or_stop(settings)
if not models:
    st.info(f"No models in the registry yet; train one with `{TRAIN_COMMAND}`.")

for name, model in models.items():
    with st.container(border=True):
        st.subheader(name)
        if model is None:
            st.info(
                f"`{name}` is not registered yet. Train it with `{TRAIN_COMMAND} --model {name}`."
            )
            continue
        if model.description:
            st.caption(model.description)
        champion, challenger = model.version_at(CHAMPION), model.version_at(CHALLENGER)
        served, candidate, primary = st.columns(3)
        served.metric("Served version (champion)", f"v{champion.version}" if champion else "none")
        candidate.metric("Challenger", f"v{challenger.version}" if challenger else "none")
        metric_names = model.metric_names()
        if champion and metric_names and metric_names[0] in champion.metrics:
            primary.metric(
                f"{metric_names[0]} (champion)", f"{champion.metrics[metric_names[0]]:.4g}"
            )
        if champion is None:
            st.warning(
                "No version is `champion` yet, so the API serves nothing for this model: "
                f"promote one with `{PROMOTE_COMMAND} {name} VERSION`."
            )
        st.dataframe(versions_table(model), hide_index=True, width="stretch")
        if len(model.versions) == 1:
            # One version: a chart would be a lone dot, so its metrics are shown as numbers.
            only = model.versions[0]
            for column, metric in zip(
                st.columns(max(len(metric_names), 1)), metric_names, strict=False
            ):
                column.metric(f"{metric} (v{only.version})", f"{only.metrics[metric]:.4g}")
        elif metric_names:
            metric = st.selectbox("Metric to chart", metric_names, key=f"metric-{name}")
            st.altair_chart(charts.metric_across_versions(metric_by_version(model, metric), metric))
