"""Entry script of `streamlit run`: page setup, sign-in check, then the page the user picked."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from {{ cookiecutter.package_name }}.auth import Role
from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}.dashboard.sign_in import require_viewer

VIEWS = Path(__file__).with_name("views")

st.set_page_config(
    page_title={{ cookiecutter.project_name | tojson }},
    page_icon=":material/monitoring:",
    layout="wide",
)
user = require_viewer(get_settings())
pages = [
    st.Page(
        VIEWS / "models.py",
        title="Models",
        icon=":material/model_training:",
        url_path="models",
        default=True,
    ),
    st.Page(
        VIEWS / "predictions.py",
        title="Predictions",
        icon=":material/table_rows:",
        url_path="predictions",
    ),
    st.Page(
        VIEWS / "try_prediction.py",
        title="Try a prediction",
        icon=":material/send:",
        url_path="try",
    ),
    st.Page(VIEWS / "drift.py", title="Drift", icon=":material/ssid_chart:", url_path="drift"),
]
if Role.ADMIN in user.roles:
    # Only admins get the page at all: for anyone else its URL leads to the default page.
    pages.append(
        st.Page(
            VIEWS / "admin.py", title="Admin", icon=":material/shield_person:", url_path="admin"
        )
    )
st.navigation(pages).run()
