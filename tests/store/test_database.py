"""Opening, migrating and writing the database, on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from hipcoach.errors import StorageError
from hipcoach.store.database import Database, create_db_engine, open_database, redact_url
from hipcoach.store.migrate import (
    current_revision,
    downgrade_database,
    head_revision,
    upgrade_database,
)
from hipcoach.store.tables import Base, Person

TABLES = {
    "people",
    "screens",
    "clearances",
    "measures",
    "track_states",
    "decisions",
    "sessions",
    "sets",
    "morning_checks",
}


def test_upgrade_from_empty_then_downgrade_and_up_again(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        assert current_revision(engine) is None
        upgrade_database(engine)
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) >= TABLES
        downgrade_database(engine, "base")
        assert current_revision(engine) is None
        assert not TABLES & set(inspect(engine).get_table_names())
        upgrade_database(engine)
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diffs == []


def test_open_twice_is_idempotent(database_url: str) -> None:
    first = open_database(database_url)
    first.close()
    second = open_database(database_url)
    try:
        assert current_revision(second.engine) == head_revision()
    finally:
        second.close()


def test_sqlite_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'deep' / 'folder' / 'h.db'}")
    try:
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert (tmp_path / "deep" / "folder" / "h.db").exists()
    finally:
        db.close()


def test_a_failed_transaction_writes_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as s:
        s.add(Person(name="half", started_on=dt.date(2025, 1, 1), goals=[], psfs_activities=[]))
        s.flush()
        raise RuntimeError("crash in the middle")
    with db.transaction() as s:
        assert s.scalar(select(Person).where(Person.name == "half")) is None


def test_a_database_error_is_one_line(db: Database) -> None:
    with db.transaction() as s:
        s.add(Person(name="twin", started_on=dt.date(2025, 1, 1), goals=[], psfs_activities=[]))
    with pytest.raises(StorageError) as error, db.transaction() as s:
        s.add(Person(name="twin", started_on=dt.date(2025, 1, 1), goals=[], psfs_activities=[]))
    assert "\n" not in str(error.value)
    assert "could not be written" in str(error.value)


def test_redact_url_hides_the_password() -> None:
    shown = redact_url("postgresql+psycopg://coach:s3cret@db.example:5432/hipcoach")
    assert "s3cret" not in shown
    assert "coach:***@db.example" in shown


def test_unreachable_server_names_the_url_without_password() -> None:
    with pytest.raises(StorageError) as error:
        open_database("postgresql+psycopg://coach:s3cret@127.0.0.1:1/nowhere?connect_timeout=2")
    message = str(error.value)
    assert "s3cret" not in message
    assert "127.0.0.1:1/nowhere" in message
    assert "\n" not in message


def test_not_a_url_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="not a database URL"):
        open_database("this is not a url")


def test_unwritable_sqlite_location(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot open database"):
        open_database(f"sqlite:///{blocker / 'sub' / 'h.db'}")


def test_a_database_from_a_newer_version_cannot_be_migrated(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        upgrade_database(engine)
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    finally:
        engine.dispose()
    with pytest.raises(StorageError, match="cannot migrate database"):
        open_database(database_url)


def test_threads_opening_one_database_at_once_all_succeed(tmp_path: Path) -> None:
    """Each worker process of `serve` opens (and migrates) the database from more than one
    thread; Alembic's proxies are process-global, so migrations run one at a time."""
    import threading

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def open_one() -> None:
        barrier.wait()
        try:
            open_database(url).close()
        except BaseException as exc:  # collected: the assertion below names it
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    db = open_database(url)
    try:
        assert current_revision(db.engine) == head_revision()
    finally:
        db.close()
