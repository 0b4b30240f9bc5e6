"""Ingest adapters: local CSV/Parquet, S3 objects (moto server), SQL queries (SQLite)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy

from {{ cookiecutter.package_name }}.models import catalog
from {{ cookiecutter.package_name }}.models.spec import DataSource
from {{ cookiecutter.package_name }}.pipeline.errors import DataSourceError
from {{ cookiecutter.package_name }}.pipeline.ingest import ensure_example_data, ingest

from tests.fixtures.services import S3Service

FRAME = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "z"]})


def test_reads_csv_relative_to_raw_dir_with_sha256(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    FRAME.to_csv(raw / "data.csv", index=False)
    data = ingest(DataSource("data.csv"), data_dir=tmp_path)
    pd.testing.assert_frame_equal(data.frame, FRAME)
    assert data.rows == 3
    assert data.sha256 == hashlib.sha256((raw / "data.csv").read_bytes()).hexdigest()


def test_reads_parquet_by_absolute_path(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    FRAME.to_parquet(path, index=False)
    data = ingest(DataSource(str(path)), data_dir=tmp_path / "elsewhere")
    assert data.frame["b"].tolist() == ["x", "y", "z"]


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match=r"data file not found: .*nope\.csv"):
        ingest(DataSource("nope.csv"), data_dir=tmp_path)


def test_corrupt_parquet_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(DataSourceError, match=r"cannot parse .*broken\.parquet as parquet"):
        ingest(DataSource(str(path)), data_dir=tmp_path)


def test_unsupported_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(DataSourceError, match=r"unsupported data file type 'data\.xlsx'"):
        ingest(DataSource(str(path)), data_dir=tmp_path)


def test_empty_csv_gives_an_empty_frame(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    assert ingest(DataSource(str(path)), data_dir=tmp_path).frame.empty


def test_sql_query_through_sqlalchemy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'source.db'}"
    engine = sqlalchemy.create_engine(url)
    FRAME.to_sql("samples", engine, index=False)
    engine.dispose()
    data = ingest(DataSource(url, query="SELECT a, b FROM samples WHERE a > 1"), data_dir=tmp_path)
    assert data.frame["a"].tolist() == [2.0, 3.0]
    assert len(data.sha256) == 64


def test_sql_error_names_the_problem_without_password(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'source.db'}"
    with pytest.raises(DataSourceError, match="no such table: missing"):
        ingest(DataSource(url, query="SELECT * FROM missing"), data_dir=tmp_path)
    source = DataSource("postgresql://user:hunter2@localhost/db", query="SELECT 1")
    assert "hunter2" not in source.describe()


def test_example_data_written_once(tmp_path: Path) -> None:
    spec = catalog.get("tumor-classifier")
    written = ensure_example_data(spec, data_dir=tmp_path)
    assert written == tmp_path / "raw" / "breast_cancer.csv"
    assert len(pd.read_csv(written)) == 569
    written.write_text("edited by the user\n")
    assert ensure_example_data(spec, data_dir=tmp_path) is None
    assert written.read_text() == "edited by the user\n"


@pytest.mark.integration
def test_reads_s3_object_from_moto_server(moto_s3: S3Service, tmp_path: Path) -> None:
    body = FRAME.to_csv(index=False).encode()
    moto_s3.client().put_object(Bucket=moto_s3.bucket, Key="raw/data.csv", Body=body)
    data = ingest(
        DataSource(f"s3://{moto_s3.bucket}/raw/data.csv"),
        data_dir=tmp_path,
        s3_endpoint_url=moto_s3.endpoint_url,
        aws_access_key_id=moto_s3.access_key,
        aws_secret_access_key=moto_s3.secret_key,
    )
    pd.testing.assert_frame_equal(data.frame, FRAME)
    assert data.sha256 == hashlib.sha256(body).hexdigest()
    with pytest.raises(DataSourceError, match=r"cannot read s3://.*/raw/missing\.csv: NoSuchKey"):
        ingest(
            DataSource(f"s3://{moto_s3.bucket}/raw/missing.csv"),
            data_dir=tmp_path,
            s3_endpoint_url=moto_s3.endpoint_url,
            aws_access_key_id=moto_s3.access_key,
            aws_secret_access_key=moto_s3.secret_key,
        )
