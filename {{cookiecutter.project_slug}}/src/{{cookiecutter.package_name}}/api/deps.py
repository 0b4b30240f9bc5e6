"""Dependencies routers declare through `Annotated` aliases: the caller, roles, the database."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.api.model_manager import (
    ModelNotLoadedError,
    UnknownModelError,
)
from {{ cookiecutter.package_name }}.api.services import Services
from {{ cookiecutter.package_name }}.api.serving import ServedModel
from {{ cookiecutter.package_name }}.auth import (
    IdentityProviderUnavailableError,
    InvalidTokenError,
    Role,
    User,
)

logger = logging.getLogger(__name__)

# The user every request acts as when AUTH_ENABLED=false (allowed in dev only).
DEV_USER = User(sub="dev-auth-disabled", roles=frozenset(Role))

bearer = HTTPBearer(auto_error=False, description="An access token from the OIDC provider.")


# Hot-path dependencies are `async def`: FastAPI would run plain `def` ones in a thread pool.
async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def unauthorized(description: str) -> HTTPException:
    # RFC 6750: tell the client which scheme to use and what was wrong with its token.
    quoted = description.replace("\\", "\\\\").replace('"', "'")
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=description,
        headers={"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{quoted}"'},
    )


async def authenticate(
    services: Services, credentials: HTTPAuthorizationCredentials | None
) -> User:
    """The caller of a request, from its bearer token (DEV_USER when auth is off)."""
    verifier = services.verifier
    if verifier is None:
        return DEV_USER
    if credentials is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="missing bearer token: send `Authorization: Bearer <access token>`",
            headers={"WWW-Authenticate": "Bearer"},
        )
    token = credentials.credentials
    user = verifier.cached(token)
    if user is not None:
        return user
    try:
        # Off the event loop: a new key id may mean fetching the issuer's JWKS.
        return await run_in_threadpool(verifier.verify, token)
    except InvalidTokenError as error:
        raise unauthorized(f"invalid token: {error}") from None
    except IdentityProviderUnavailableError as error:
        # The cause (with the provider's address) goes to the log; the client learns what to do.
        logger.warning("cannot check a token: %s", error)
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail="the identity provider is unreachable, so the token cannot be checked; "
            "retry in a few seconds",
            headers={
                "WWW-Authenticate": 'Bearer error_description="identity provider unreachable"',
                "Retry-After": "5",
            },
        ) from None


async def authorize(
    services: Services, credentials: HTTPAuthorizationCredentials | None, *roles: Role
) -> User:
    """The caller if they hold any of `roles`; otherwise 401 (who is it?) or 403 (not allowed)."""
    user = await authenticate(services, credentials)
    if not any(user.has_role(role) for role in roles):
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail=f"role {' or '.join(role.value for role in roles)} required; the token of "
            f"{user.sub!r} has {sorted(user.roles) or 'no roles'}",
        )
    return user


def require_role(*roles: Role) -> Callable[..., Coroutine[None, None, User]]:
    """A dependency admitting callers that hold any of `roles`; others get 401 or 403."""

    async def check(
        services: ServicesDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> User:
        return await authorize(services, credentials, *roles)

    return check


ViewerUser = Annotated[User, Depends(require_role(Role.VIEWER, Role.PREDICTOR, Role.ADMIN))]
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]


def db_session(services: ServicesDep) -> Iterator[Session]:
    with services.sessions() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session)]


def served_model(services: Services, name: str) -> ServedModel:
    """The model serving `name` now; 404 if there is no such model, 503 while it loads."""
    try:
        return services.models.get(name)
    except UnknownModelError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None
    except ModelNotLoadedError as error:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(error), headers={"Retry-After": "5"}
        ) from None
