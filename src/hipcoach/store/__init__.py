"""Storage: tables, migrations and the transaction helper. No programme logic lives here."""

from hipcoach.store.database import Database, open_database, redact_url

__all__ = ["Database", "open_database", "redact_url"]
