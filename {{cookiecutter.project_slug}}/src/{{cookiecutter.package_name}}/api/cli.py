"""`serve` and `predict-file`: run the API, or push a CSV file through it."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.client import PredictionClient

console = Console(stderr=True)


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address [default: API_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: API_PORT, 8000].")] = None,
    migrate: Annotated[bool, typer.Option(help="Run `db upgrade` before serving.")] = True,
) -> None:
    """Serve the prediction API (one uvicorn worker; scale with more processes or pods)."""
    import uvicorn

    from {{ cookiecutter.package_name }}.db.migrate import upgrade
    from {{ cookiecutter.package_name }}.terminal import load_settings

    settings = load_settings()
    if migrate:
        upgrade(settings.database_url.get_secret_value())
    uvicorn.run(
        "{{ cookiecutter.package_name }}.api.app:create_app",
        factory=True,
        host=host or settings.api_host,
        port=port or settings.api_port,
        log_level=settings.log_level.lower(),
        access_log=False,  # costs throughput; /metrics and the prediction log cover it
    )


def predict_file(
    input_csv: Annotated[
        Path, typer.Argument(help="CSV with one record per row, a header of column names.")
    ],
    output_csv: Annotated[
        Path, typer.Argument(help="Written with the input columns plus `prediction`.")
    ],
    model: Annotated[str, typer.Option("--model", "-m", help="Registered model name.")],
    api_url: Annotated[str | None, typer.Option(help="API address [default: API_URL].")] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="API_TOKEN",
            help="Bearer token (or env API_TOKEN); see `auth token` and `dev token`. Without one, "
            "the machine client's token when OIDC_MACHINE_CLIENT_SECRET is set.",
        ),
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(min=1, help="Records per request [default: MAX_BATCH_SIZE].")
    ] = None,
) -> None:
    """Predict every row of INPUT_CSV through the API and write OUTPUT_CSV (all or nothing)."""
    from {{ cookiecutter.package_name }}.auth.cli import machine_token_provider
    from {{ cookiecutter.package_name }}.auth.tokens import TokenRequestError
    from {{ cookiecutter.package_name }}.client import (
        ApiError,
        PredictionClient,
        StaticToken,
        TokenProvider,
    )
    from {{ cookiecutter.package_name }}.terminal import load_settings

    settings = load_settings()
    if not input_csv.is_file():
        console.print(f"[red]Error:[/red] {input_csv} does not exist or is not a file.")
        raise typer.Exit(2)
    with input_csv.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        # Empty cells are missing values.
        rows: list[dict[str, Any]] = [
            {k: (v if v != "" else None) for k, v in row.items()} for row in reader
        ]
    if not rows:
        console.print(f"[red]Error:[/red] {input_csv} has no data rows.")
        raise typer.Exit(2)
    size = batch_size or settings.max_batch_size
    predictions: list[Any] = []
    provider: TokenProvider | None = StaticToken(token) if token else None
    if provider is None and settings.oidc_machine_client_secret is not None:
        provider = machine_token_provider(settings)
    client = PredictionClient(api_url or settings.api_url, token=provider)
    start, chunk = 0, rows
    try:
        # CSV cells are text and the API takes JSON types strictly: convert by the signature.
        records = typed_rows(rows, _input_columns(client, model))
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"predicting with {model}", total=len(rows))
            for start in range(0, len(rows), size):
                chunk = records[start : start + size]
                predictions.extend(client.predict(model, chunk).predictions)
                progress.advance(task, len(chunk))
    except ApiError as error:
        console.print(
            f"[red]Error:[/red] {error} (rows {start + 1}-{start + len(chunk)}); nothing written."
        )
        raise typer.Exit(1) from None
    except CsvCellError as error:
        console.print(f"[red]Error:[/red] {input_csv}: {error}; nothing written.")
        raise typer.Exit(2) from None
    except TokenRequestError as error:
        console.print(f"[red]Error:[/red] {error}; nothing written.")
        raise typer.Exit(1) from None
    except OSError as error:
        console.print(f"[red]Error:[/red] cannot reach the API: {error}; nothing written.")
        raise typer.Exit(1) from None
    finally:
        client.close()
    _write_atomically(output_csv, columns, rows, predictions)
    console.print(f"wrote {len(rows)} predictions to {output_csv}")


def _input_columns(client: PredictionClient, model: str) -> list[dict[str, Any]]:
    """The model's input columns, or none when the token may not list models (no viewer)."""
    from {{ cookiecutter.package_name }}.client import ApiError

    try:
        served = {info.name: info for info in client.models()}
    except ApiError as error:
        if error.status_code != 403:
            raise
        return []
    return served[model].inputs if model in served else []


class CsvCellError(ValueError):
    """A CSV cell that cannot hold its column's type."""


# CSV text -> the JSON value the API's strict schema takes, per MLflow column type.
_CELL_PARSERS: dict[str, Any] = {
    "double": float,
    "float": float,
    "integer": int,
    "long": int,
    "boolean": lambda text: {"true": True, "false": False, "1": True, "0": False}[text.lower()],
}


def typed_rows(rows: list[dict[str, Any]], inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with each numeric or boolean cell converted by the model's input columns."""
    parsers = {
        column["name"]: _CELL_PARSERS[column["type"]]
        for column in inputs
        if column.get("type") in _CELL_PARSERS
    }
    typed = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        converted = dict(row)
        for name, parse in parsers.items():
            cell = row.get(name)
            if cell is None:
                continue
            try:
                converted[name] = parse(cell.strip())
            except (ValueError, KeyError):
                raise CsvCellError(
                    f"line {number}, column {name!r}: {cell!r} is not a valid value for this model"
                ) from None
        typed.append(converted)
    return typed


def _write_atomically(
    path: Path, columns: list[str], rows: list[dict[str, Any]], predictions: list[Any]
) -> None:
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*columns, "prediction"])
        writer.writeheader()
        for row, prediction in zip(rows, predictions, strict=True):
            writer.writerow({**row, "prediction": prediction})
    os.replace(partial, path)
