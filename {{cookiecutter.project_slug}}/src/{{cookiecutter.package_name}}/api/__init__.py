"""The prediction API: serves registered models at alias `champion` behind OIDC."""
