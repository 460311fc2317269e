"""Settings, read once per process through `get_settings()` so tests can override them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("hipcoach", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HIPCOACH_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    password: str | None = None
    keep_videos: bool = False
    max_upload_mb: int = 200
    max_live_sockets: int = 256
    """Live sockets open at once; more are refused with close code 1013."""
    max_camera_sockets: int = 4
    """Camera (frames-mode) sets at once: each runs its own MediaPipe graph (~100 MB)."""
    live_start_timeout_s: float = 30.0
    """A socket that sends no start message in this time is closed with 4400."""
    workers: int = Field(default=1, ge=1, le=64)
    """`serve`'s worker processes (`--workers`); see docs/protocol.md "Capacity"."""
    forwarded_allow_ips: str | None = None
    """Proxy addresses whose X-Forwarded-For / X-Forwarded-Proto are believed (comma
    separated, as uvicorn takes them). None: forwarded headers are ignored."""

    def resolved_database_url(self) -> str:
        """The database URL; an SQLite file in the data directory unless one is set."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'hipcoach.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
