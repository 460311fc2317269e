"""Database fixtures for the storage tests: SQLite in a temporary folder and, when
`HIPCOACH_TEST_POSTGRES_URL` is set (`.ci/run` sets it), a fresh schema on the real
PostgreSQL server, dropped after the test. Without the variable the PostgreSQL cases skip,
except in CI (`CI=true`), where they fail so a missing server is never silent."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hipcoach.config import get_settings
from hipcoach.store.database import Database, open_database

POSTGRES_ENV = "HIPCOACH_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_base_url() -> str:
    """The test server's URL; skip (locally) or fail (CI) when it is not configured."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_ENV} is not set in CI: the PostgreSQL tests cannot run")
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL server for this run")
    return url


def isolate_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str) -> None:
    """Point the settings at a temporary data folder and `url`; never the real user dir."""
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HIPCOACH_DATABASE_URL", url)
    get_settings.cache_clear()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL on each backend (PostgreSQL: a schema of its own)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hipcoach.db'}"
        return
    base = postgres_base_url()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(base)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Database]:
    """An open, migrated database on each backend, closed after the test."""
    isolate_settings(monkeypatch, tmp_path, database_url)
    database = open_database()
    try:
        yield database
    finally:
        database.close()
        get_settings.cache_clear()
