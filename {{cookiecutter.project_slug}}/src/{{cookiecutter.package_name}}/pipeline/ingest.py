"""Ingest: read raw data from a local file, an S3-compatible object or a SQL query."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import pandas as pd

from {{ cookiecutter.package_name }}.models.spec import DataSource, ModelSpec
from {{ cookiecutter.package_name }}.pipeline.errors import DataSourceError

READERS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


@dataclass(frozen=True)
class RawData:
    """A data set as read, with what identifies it in the run: SHA-256 and row count."""

    frame: pd.DataFrame
    sha256: str
    source: str

    @property
    def rows(self) -> int:
        return len(self.frame)


def resolve_local(location: str, *, data_dir: Path) -> Path:
    """Relative paths name files under `<data_dir>/raw`; absolute paths are used as given."""
    path = Path(location).expanduser()
    return path if path.is_absolute() else data_dir / "raw" / path


def ensure_example_data(spec: ModelSpec, *, data_dir: Path) -> Path | None:
    """Write the model's example data to its raw location on first run; the path if written."""
    if spec.example_data is None or is_remote(spec.source):
        return None
    path = resolve_local(spec.source.location, data_dir=data_dir)
    if path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = spec.example_data()
    partial = path.with_name(path.name + ".partial")
    # Write then rename, so an interrupted first run never leaves a truncated data file.
    if READERS.get(path.suffix.lower()) == "parquet":
        frame.to_parquet(partial, index=False)
    else:
        frame.to_csv(partial, index=False)
    partial.replace(path)
    return path


def is_remote(source: DataSource) -> bool:
    return source.query is not None or source.location.startswith("s3://")


def ingest(
    source: DataSource,
    *,
    data_dir: Path,
    s3_endpoint_url: str | None = None,
    aws_access_key_id: str | None = None,
    aws_secret_access_key: str | None = None,
) -> RawData:
    """Read `source` into a frame; any failure becomes a DataSourceError naming the source."""
    if source.query is not None:
        return _read_sql(source)
    if source.location.startswith("s3://"):
        payload = _read_s3(
            source.location,
            endpoint_url=s3_endpoint_url,
            access_key=aws_access_key_id,
            secret_key=aws_secret_access_key,
        )
        name = PurePosixPath(urlparse(source.location).path).name
        return _parse(payload, name=name, source=source.location)
    path = resolve_local(source.location, data_dir=data_dir)
    if not path.is_file():
        raise DataSourceError(
            f"data file not found: {path}. Pass an existing CSV/Parquet file with --data, "
            "or remove the path to use the model's example data."
        )
    try:
        payload = path.read_bytes()
    except OSError as error:
        raise DataSourceError(f"cannot read data file {path}: {error.strerror or error}") from None
    return _parse(payload, name=path.name, source=str(path))


def _parse(payload: bytes, *, name: str, source: str) -> RawData:
    kind = READERS.get(PurePosixPath(name).suffix.lower())
    if kind is None:
        raise DataSourceError(f"unsupported data file type '{name}': use .csv, .parquet or .pq")
    try:
        if kind == "csv":
            frame = pd.read_csv(io.BytesIO(payload))
        else:
            frame = pd.read_parquet(io.BytesIO(payload))
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise DataSourceError(f"cannot parse {source} as {kind}: {error}") from None
    return RawData(frame=frame, sha256=hashlib.sha256(payload).hexdigest(), source=source)


def _read_s3(
    uri: str, *, endpoint_url: str | None, access_key: str | None, secret_key: str | None
) -> bytes:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    parsed = urlparse(uri)
    bucket, key = parsed.netloc, parsed.path.lstrip("/")
    if not bucket or not key:
        raise DataSourceError(f"invalid S3 URI '{uri}': expected s3://bucket/path/file.csv")
    client = boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
    )
    try:
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
        return bytes(body.read())
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        raise DataSourceError(
            f"cannot read {uri}: {code}. Check the bucket, key and credentials (AWS_* variables)."
        ) from None
    except BotoCoreError as error:
        where = endpoint_url or "AWS S3"
        raise DataSourceError(
            f"cannot reach object storage at {where} for {uri}: {error}. "
            "Check MLFLOW_S3_ENDPOINT_URL and AWS_* variables."
        ) from None


def _read_sql(source: DataSource) -> RawData:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    described = source.describe()
    try:
        engine = create_engine(source.location)
    except (ArgumentError, ImportError, ValueError) as error:
        raise DataSourceError(f"invalid database URL for {described}: {error}") from None
    try:
        with engine.connect() as connection:
            frame = pd.read_sql_query(text(source.query or ""), connection)
    except (SQLAlchemyError, pd.errors.DatabaseError) as error:
        # pandas wraps the SQLAlchemy error; the driver's own message names the problem.
        cause = error.__cause__ if isinstance(error.__cause__, SQLAlchemyError) else error
        reason = str(getattr(cause, "orig", None) or cause).splitlines()[0]
        raise DataSourceError(f"query failed for {described}: {reason}") from None
    finally:
        engine.dispose()
    # A query has no file bytes: hash a canonical CSV rendering so equal results hash equally.
    digest = hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()
    return RawData(frame=frame, sha256=digest, source=described)
