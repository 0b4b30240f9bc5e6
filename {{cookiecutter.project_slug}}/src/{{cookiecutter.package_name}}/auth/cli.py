"""`auth token`: an access token from the configured provider, for curl, scripts and predict-file.

Only the token goes to stdout, so this works:

    TOKEN=$({{ cookiecutter.project_slug }} auth token)

The sign-in instructions and errors go to stderr.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.auth.tokens import ClientCredentialsToken
    from {{ cookiecutter.package_name }}.config import Settings

app = typer.Typer(help="Access tokens from the identity provider (OIDC_ISSUER_URL).")
console = Console(stderr=True)


@app.command()
def token(
    machine: Annotated[
        bool,
        typer.Option(
            "--machine",
            help="Client credentials of OIDC_MACHINE_CLIENT_ID / OIDC_MACHINE_CLIENT_SECRET "
            "instead of a person's sign-in.",
        ),
    ] = False,
    scope: Annotated[
        str | None,
        typer.Option(
            help="Scope to ask for, e.g. Entra ID's api://<api-app-id>/.default "
            "[default: openid for people, none for --machine].",
        ),
    ] = None,
) -> None:
    """Print an access token: a person signs in with the device code shown, or --machine."""
    from {{ cookiecutter.package_name }}.auth.tokens import (
        TokenRequestError,
        poll_device_token,
        start_device_authorization,
    )
    from {{ cookiecutter.package_name }}.terminal import load_settings

    settings = load_settings()
    try:
        if machine:
            value = machine_token_provider(settings, scope=scope)()
        else:
            token_url, code = start_device_authorization(
                settings.oidc_issuer_url,
                client_id=settings.oidc_cli_client_id,
                scope=scope or "openid",
            )
            console.print(
                f"Open [cyan]{code.verification_uri}[/cyan] and enter the code "
                f"[bold]{code.user_code}[/bold]"
                + (
                    f"\n(or open {code.verification_uri_complete})"
                    if code.verification_uri_complete
                    else ""
                )
                + f"\nWaiting for the sign-in ({int(code.expires_in)} s)..."
            )
            value = poll_device_token(token_url, code, client_id=settings.oidc_cli_client_id)
    except TokenRequestError as error:
        console.print(f"[red]Error:[/red] {error}")
        raise typer.Exit(1) from None
    typer.echo(value)


def machine_token_provider(
    settings: Settings, *, scope: str | None = None
) -> ClientCredentialsToken:
    """Renewing client-credentials tokens of the machine client, or a readable exit when unset."""
    from {{ cookiecutter.package_name }}.auth.tokens import ClientCredentialsToken

    if settings.oidc_machine_client_secret is None:
        console.print(
            "[red]Error:[/red] OIDC_MACHINE_CLIENT_SECRET is not set; put the machine client's "
            "secret in the environment or .env (`make env` writes one for Keycloak)."
        )
        raise typer.Exit(2)
    return ClientCredentialsToken.for_issuer(
        settings.oidc_issuer_url,
        client_id=settings.oidc_machine_client_id,
        client_secret=settings.oidc_machine_client_secret.get_secret_value(),
        scope=scope,
    )
