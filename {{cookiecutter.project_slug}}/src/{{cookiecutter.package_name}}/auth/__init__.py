"""OIDC resource server: bearer-token verification and roles, independent of the web framework."""

from {{ cookiecutter.package_name }}.auth.oidc import (
    ALLOWED_ALGORITHMS,
    IdentityProviderUnavailable,
    InvalidToken,
    TokenVerifier,
)
from {{ cookiecutter.package_name }}.auth.roles import Role, roles_from_claims
from {{ cookiecutter.package_name }}.auth.user import User

__all__ = [
    "ALLOWED_ALGORITHMS",
    "IdentityProviderUnavailable",
    "InvalidToken",
    "Role",
    "TokenVerifier",
    "User",
    "roles_from_claims",
]
