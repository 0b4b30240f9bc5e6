"""Streamlit dashboard behind OIDC login: models, prediction log, drift, and a prediction form.

Data access (registry_reader, prediction_log, reference_data, drift, api_calls) is kept apart from
the page scripts in pages/, so it can be tested without a browser.
"""
