"""`smoke`: a running API checked end to end, as the project's CI does once the stack is up.

A machine token from the identity provider predicts each served model's example rows, and the
same request without a token must get 401. Run it where the issuer's host name resolves, inside
the Compose network: `docker compose run --rm smoke`.
"""

from __future__ import annotations

import time
from typing import Annotated

import httpx
import typer

from {{ cookiecutter.package_name }}.terminal import console, errors, load_settings


def smoke(
    api_url: Annotated[str | None, typer.Option(help="API address [default: API_URL].")] = None,
) -> None:
    """Predict each served model's example rows with a machine token; expect 401 without one."""
    from {{ cookiecutter.package_name }}.auth.cli import machine_token_provider
    from {{ cookiecutter.package_name }}.auth.tokens import TokenRequestError
    from {{ cookiecutter.package_name }}.client import ApiError, PredictionClient
    from {{ cookiecutter.package_name }}.models import catalog

    settings = load_settings()
    url = api_url or settings.api_url
    names = settings.served_models or catalog.names()
    signed_in = PredictionClient(url, token=machine_token_provider(settings))
    anonymous = PredictionClient(url)
    try:
        for name in names:
            spec = catalog.get(name)
            if spec.example_data is None:
                console.print(f"{name}: no example rows to predict; skipped")
                continue
            records = spec.example_data()[spec.features].head(3).to_dict(orient="records")
            started = time.perf_counter()
            answer = signed_in.predict(name, records)
            took_ms = (time.perf_counter() - started) * 1000
            console.print(
                f"{name} v{answer.version}: {len(answer.predictions)} predictions, {took_ms:.0f} ms"
            )
            try:
                anonymous.predict(name, records)
            except ApiError as error:
                if error.status_code != 401:
                    raise
            else:
                errors.print(f"[red]Error:[/red] {name} predicted without a token; auth is off")
                raise typer.Exit(1)
            console.print(f"{name} without a token: 401")
    except (ApiError, TokenRequestError, LookupError, httpx.HTTPError) as error:
        errors.print(f"[red]Smoke test failed:[/red] {error}")
        raise typer.Exit(1) from None
    finally:
        signed_in.close()
        anonymous.close()
    console.print(f"smoke test passed against {url}")
