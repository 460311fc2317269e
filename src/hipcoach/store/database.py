"""Opening the database: engine, SQLite tuning, migrations to the newest schema, transactions.

`open_database()` is the one way in. It reads the URL from the settings (an SQLite file in
the user's data directory unless `HIPCOACH_DATABASE_URL` says otherwise), brings the schema
up to date with the package's Alembic migrations and returns a `Database`. Every failure to
connect or migrate becomes one `StorageError` line naming the URL with its password hidden.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from hipcoach.config import get_settings
from hipcoach.errors import StorageError


def redact_url(url: str) -> str:
    """The URL as it may be shown to a person: any password replaced by `***`."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        # Not parseable: drop anything that could be credentials.
        return url.split("@")[-1] if "@" in url else url


def describe_error(exc: BaseException) -> str:
    """The first line of a database error as the driver gave it, without SQLAlchemy's
    background links: safe to show in a one-line message."""
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip().splitlines()
    return text[0] if text else type(inner).__name__


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets a reader (the web page) and a writer (a session) work at the same time;
    # foreign keys are off by default in SQLite and our deletes rely on cascades.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get WAL mode and foreign keys; parent folder made."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(f"cannot open database {redact_url(url)}: not a database URL") from None
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite and parsed.database and parsed.database != ":memory:":
        try:
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"cannot open database {redact_url(url)}: {exc.strerror or exc}"
            ) from None
    try:
        engine = create_engine(url, pool_pre_ping=not is_sqlite)
    except (ArgumentError, ImportError, SQLAlchemyError) as exc:
        raise StorageError(
            f"cannot open database {redact_url(url)}: {describe_error(exc)}"
        ) from None
    if is_sqlite:
        event.listen(engine, "connect", _tune_sqlite)
    return engine


@dataclass
class Database:
    """An open, migrated database. Use `transaction()` for every unit of work."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def shown_url(self) -> str:
        return redact_url(self.url)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error.

        Database errors surface as one-line StorageErrors; nothing is half-written.
        """
        session = self.sessions()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise StorageError(
                f"database {self.shown_url} could not be written: {describe_error(exc)}"
            ) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_database(url: str | None = None, migrate: bool = True) -> Database:
    """Open the database at `url` (default: the settings' URL) and migrate it to the newest
    schema. Raises StorageError (one line, password hidden) when it cannot be opened or
    migrated."""
    from hipcoach.store.migrate import ONE_AT_A_TIME, upgrade_database

    url = url or get_settings().resolved_database_url()
    engine = create_db_engine(url)
    try:
        with ONE_AT_A_TIME:
            with engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
            if migrate:
                upgrade_database(engine)
    except StorageError:
        engine.dispose()
        raise
    except (SQLAlchemyError, OSError) as exc:
        engine.dispose()
        raise StorageError(
            f"cannot open database {redact_url(url)}: {describe_error(exc)}"
        ) from None
    return Database(url=url, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
