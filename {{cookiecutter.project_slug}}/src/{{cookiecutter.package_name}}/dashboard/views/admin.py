"""Admin page (role `admin`): promote or roll back a champion, confirmed, with a reason.

The change goes through the registry code the `models promote`/`models rollback` commands use,
so it leaves the same audit tags (who, when, why), with the signed-in user as who. The API
serves the new champion at its next registry poll (MODEL_POLL_SECONDS).
"""

from __future__ import annotations

import streamlit as st

from {{ cookiecutter.package_name }}.auth import Role
from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}.dashboard import loaders
from {{ cookiecutter.package_name }}.dashboard.sign_in import require_role
from {{ cookiecutter.package_name }}.registry import RegistryError, connect, promote, rollback
from {{ cookiecutter.package_name }}.registry.names import CHAMPION

PROMOTE, ROLLBACK = "Promote a version", "Roll back to the previous champion"

settings = get_settings()
user = require_role(Role.ADMIN)
st.title("Admin")
st.caption(
    "Moves of `champion` are recorded in the registry with your name, the time and the reason. "
    f"The API serves the new champion within {settings.model_poll_seconds:g} s."
)

# Decide on the registry as it is now, not on the view the other pages cache (REFRESH_SECONDS).
loaders.models.clear()
registered = {name: m for name, m in loaders.models_or_stop(settings).items() if m is not None}
if not registered:
    st.info("No model is registered yet: there is nothing to promote.")
    st.stop()

name = st.selectbox("Model", list(registered))
model = registered[name]
champion = model.version_at(CHAMPION)
st.metric("Served version (champion)", f"v{champion.version}" if champion else "none")

action = st.radio("Action", [PROMOTE, ROLLBACK], horizontal=True)
others = [v.version for v in model.versions if champion is None or v.version != champion.version]
version = None
if action == PROMOTE:
    if not others:
        st.info("Every registered version is already the champion: train a new one first.")
        st.stop()
    version = st.selectbox("Version to serve", others, format_func=lambda v: f"v{v}")
reason = st.text_input("Reason (kept in the audit trail)", max_chars=500).strip()
change = f"serve v{version} of {name}" if version is not None else f"roll {name} back"
confirmed = st.checkbox(f"Yes, {change}")
apply = st.button(
    "Promote" if action == PROMOTE else "Roll back",
    type="primary",
    disabled=not (reason and confirmed),
    help=None if reason else "Give a reason first.",
)
if apply:
    try:
        registry = connect(settings)
        if version is not None:
            promote(registry, name, str(version), reason=reason, actor=user.name)
            st.success(f"{name}: champion is now v{version} (by {user.name}: {reason}).")
        else:
            before, after = rollback(registry, name, reason=reason, actor=user.name)
            st.success(f"{name}: champion v{before} → v{after} (by {user.name}: {reason}).")
    except RegistryError as error:
        st.error(str(error))
    loaders.models.clear()  # the other pages show the move at once
