"""Alembic migrations run from the installed package, with no `alembic.ini`.

The migration scripts live in `hipcoach/store/migrations/`. `alembic_config()` points
Alembic at them; the open connection is handed to `env.py` through `config.attributes`, so
the same code path serves SQLite and PostgreSQL and any schema a test selects.
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from hipcoach.errors import StorageError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
ONE_AT_A_TIME = threading.RLock()
"""Alembic's `op` and `context` are module-level proxies: two migrations running at once
in one process (two threads opening a database) break each other. `open_database` holds
it too, so a thread's first SQLite connection (which switches the file to WAL) does not
wait behind another thread's migration for longer than SQLite's busy timeout."""


def alembic_config() -> Config:
    """An Alembic Config for the package's migration scripts (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest revision id the package knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise StorageError("the package ships no database migrations")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _run(engine: Engine, action: str, revision: str) -> None:
    from hipcoach.store.database import describe_error

    config = alembic_config()
    try:
        with ONE_AT_A_TIME, engine.begin() as connection:
            config.attributes["connection"] = connection
            if action == "upgrade":
                command.upgrade(config, revision)
            else:
                command.downgrade(config, revision)
    except (CommandError, SQLAlchemyError) as exc:
        raise StorageError(
            f"cannot migrate database {engine.url.render_as_string(hide_password=True)}: "
            f"{describe_error(exc)}"
        ) from None


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (default: newest); StorageError on failure."""
    _run(engine, "upgrade", revision)


def downgrade_database(engine: Engine, revision: str = "base") -> None:
    """Take the schema back to `revision` (default: empty); StorageError on failure."""
    _run(engine, "downgrade", revision)
