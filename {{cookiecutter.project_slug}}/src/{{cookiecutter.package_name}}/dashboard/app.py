"""Entry script of `streamlit run`: page setup, sign-in gate, then the page the user picked."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}.dashboard.gate import require_viewer

PAGES = Path(__file__).with_name("pages")

st.set_page_config(page_title={{ cookiecutter.project_name | tojson }}, page_icon=":material/monitoring:", layout="wide")
require_viewer(get_settings())
navigation = st.navigation(
    [
        st.Page(
            PAGES / "models.py",
            title="Models",
            icon=":material/model_training:",
            url_path="models",
            default=True,
        ),
        st.Page(
            PAGES / "predictions.py",
            title="Predictions",
            icon=":material/table_rows:",
            url_path="predictions",
        ),
        st.Page(
            PAGES / "try_prediction.py",
            title="Try a prediction",
            icon=":material/send:",
            url_path="try",
        ),
        st.Page(PAGES / "drift.py", title="Drift", icon=":material/ssid_chart:", url_path="drift"),
    ]
)
navigation.run()
