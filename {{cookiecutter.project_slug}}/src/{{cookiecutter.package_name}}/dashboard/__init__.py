"""Streamlit dashboard behind OIDC login: models, prediction log, drift, and a prediction form.

The pages in views/ read the registry through `registry.reader` and the prediction log through
`db.log_reader` (cached in loaders.py); what they compute (drift, tables, charts, API calls) is
kept apart from the page scripts, so it can be tested without a browser.
"""
