"""OIDC resource server: bearer-token verification and roles, independent of the web framework."""

from {{ cookiecutter.package_name }}.auth.oidc import (
    ALLOWED_ALGORITHMS,
    IdentityProviderUnavailableError,
    InvalidTokenError,
    TokenVerifier,
)
from {{ cookiecutter.package_name }}.auth.roles import Role, roles_from_claims
from {{ cookiecutter.package_name }}.auth.user import User

# Earlier names, still imported by the dashboard.
InvalidToken = InvalidTokenError
IdentityProviderUnavailable = IdentityProviderUnavailableError

__all__ = [
    "ALLOWED_ALGORITHMS",
    "IdentityProviderUnavailable",
    "IdentityProviderUnavailableError",
    "InvalidToken",
    "InvalidTokenError",
    "Role",
    "TokenVerifier",
    "User",
    "roles_from_claims",
]
