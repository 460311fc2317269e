from tests.store.databases import database_url, db

__all__ = ["database_url", "db"]
