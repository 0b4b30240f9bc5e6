"""`dev`: the embedded stack as local processes (OIDC provider, MLflow UI, API), and dev tokens.

The development identity provider is `oidc-provider-mock`: it signs real RS256 ID tokens whose
`aud` is the client id we ask with (OIDC_AUDIENCE), so the API verifies them like Keycloak's.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from typing import Annotated, Any
from urllib.parse import parse_qs, urlparse

import httpx
import typer
from rich.console import Console

app = typer.Typer(help="Local development stack without Docker, and tokens for it.")
console = Console()

DEV_ISSUER = "http://127.0.0.1:9400"
MLFLOW_UI_PORT = 5000
ALL_ROLES = ("viewer", "predictor", "admin")
# For every local `mlflow server`: its GenAI job runner would start about ten idle worker
# processes (some outliving the server); a model registry needs none.
MLFLOW_SERVER_ENV = {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}


def claims_with_roles(roles_claim: str, roles: list[str]) -> dict[str, Any]:
    """`realm_access.roles` + [a] -> {"realm_access": {"roles": [a]}} (first configured path)."""
    path = roles_claim.split(",")[0].strip().split(".")
    claims: dict[str, Any] = {path[-1]: roles}
    for key in reversed(path[:-1]):
        claims = {key: claims}
    return claims


def issue_dev_token(
    *, issuer: str, sub: str, roles: list[str], audience: str, roles_claim: str
) -> str:
    """A signed token for `sub` with `roles`, by the authorization-code flow of the dev provider."""
    redirect_uri = "http://127.0.0.1/callback"
    with httpx.Client(base_url=issuer, timeout=10) as http:
        http.put(
            f"/users/{sub}", json={"email": sub, **claims_with_roles(roles_claim, roles)}
        ).raise_for_status()
        authorize = http.post(
            "/oauth2/authorize",
            params={
                "client_id": audience,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": "openid",
                "state": secrets.token_urlsafe(8),
            },
            data={"sub": sub},
        )
        location = authorize.headers.get("location")
        if authorize.status_code != 302 or not location:
            raise RuntimeError(f"the provider refused the login: HTTP {authorize.status_code}")
        code = parse_qs(urlparse(location).query)["code"][0]
        token = http.post(
            "/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": audience,
                "client_secret": "dev",
            },
        )
        token.raise_for_status()
        return str(token.json()["id_token"])


@app.callback(invoke_without_command=True)
def dev(ctx: typer.Context) -> None:
    """Run the OIDC provider (:9400), MLflow UI (:5000) and the API (:8000); Ctrl-C stops all."""
    if ctx.invoked_subcommand is not None:
        return
    from honcho.manager import Manager  # type: ignore[import-untyped]

    from {{ cookiecutter.package_name }}.terminal import load_settings

    settings = load_settings()
    if settings.environment != "dev":
        console.print("[red]Error:[/red] `dev` runs only with ENVIRONMENT=dev.")
        raise typer.Exit(2)
    env = {**os.environ, "OIDC_ISSUER_URL": DEV_ISSUER, "AUTH_ENABLED": "true"}
    _train_if_no_champion(env)
    users = [
        json.dumps(
            {"sub": "alice", **claims_with_roles(settings.oidc_roles_claim, list(ALL_ROLES))}
        ),
        json.dumps({"sub": "bob", **claims_with_roles(settings.oidc_roles_claim, ["viewer"])}),
    ]
    manager = Manager()
    provider = [sys.executable, "-m", "oidc_provider_mock", "--port", "9400"]
    for user in users:
        provider += ["--user-claims", user]
    manager.add_process("oidc", subprocess.list2cmdline(provider), env=env)
    manager.add_process(
        "mlflow",
        subprocess.list2cmdline(
            [
                sys.executable,
                "-m",
                "mlflow",
                "ui",
                "--backend-store-uri",
                settings.mlflow_tracking_uri,
                "--host",
                "127.0.0.1",
                "--port",
                str(MLFLOW_UI_PORT),
            ]
        ),
        env={**env, **MLFLOW_SERVER_ENV},
    )
    manager.add_process(
        "api", subprocess.list2cmdline([sys.executable, "-m", "{{ cookiecutter.package_name }}", "serve"]), env=env
    )
    console.print(
        "[bold]dev stack[/bold]: API http://127.0.0.1:8000/docs, MLflow http://127.0.0.1:5000, "
        f"OIDC {DEV_ISSUER}\nget a token: [cyan]TOKEN=$({{ cookiecutter.project_slug }} dev token)[/cyan]"
    )
    manager.loop()
    raise typer.Exit(manager.returncode or 0)


@app.command()
def token(
    user: Annotated[str, typer.Option(help="Subject (`sub`) of the token.")] = "alice",
    role: Annotated[
        list[str] | None,
        typer.Option(help="Role to grant; repeat for several [default: all three]."),
    ] = None,
    issuer: Annotated[str, typer.Option(help="The dev provider's address.")] = DEV_ISSUER,
) -> None:
    """Print a signed token from the running dev provider (for `Authorization: Bearer ...`)."""
    from {{ cookiecutter.package_name }}.terminal import load_settings

    settings = load_settings()
    try:
        value = issue_dev_token(
            issuer=issuer,
            sub=user,
            roles=role or list(ALL_ROLES),
            audience=settings.oidc_audience,
            roles_claim=settings.oidc_roles_claim,
        )
    except (httpx.HTTPError, RuntimeError) as error:
        console.print(
            f"[red]Error:[/red] cannot get a token from {issuer} ({error}); is `make dev` running?"
        )
        raise typer.Exit(1) from None
    print(value)  # plain stdout, for TOKEN=$(...)


def _train_if_no_champion(env: dict[str, str]) -> None:
    from {{ cookiecutter.package_name }}.api.services import served_model_names
    from {{ cookiecutter.package_name }}.registry.serving import champion_version, registry_for
    from {{ cookiecutter.package_name }}.terminal import load_settings

    settings = load_settings()
    registry = registry_for(settings)
    missing = [
        name
        for name in served_model_names(settings)
        if champion_version(name, registry=registry) is None
    ]
    if missing:
        console.print(f"no champion yet for {', '.join(missing)}: training them first")
        command = [sys.executable, "-m", "{{ cookiecutter.package_name }}", "pipeline", "run"]
        training = subprocess.run(command, env=env, check=False)  # noqa: S603 - our own module
        if training.returncode != 0:
            console.print("[red]Error:[/red] training failed (see above); fix it, then `make dev`.")
            raise typer.Exit(1)
