"""Shared helpers for the programme's CLI tests (tests/cli/test_session*.py): an isolated
home (temporary data dir and SQLite file), answers files, and running commands."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from hipcoach.cli.main import app
from hipcoach.config import get_settings
from hipcoach.programme import people
from hipcoach.programme.models import PersonInfo
from hipcoach.store.database import Database, open_database

START_ANSWERS: dict[str, Any] = {
    "screen.*": "no",
    "goals": ["back_pain", "splits"],
    "baseline": {"pain": 3},
    "psfs": {
        "activity_1": "putting on socks",
        "activity_2": "sitting through a film",
        "activity_3": "climbing stairs",
        "rating_1": 4,
        "rating_2": 5,
        "rating_3": 6,
    },
}


@dataclass
class Home:
    """A temporary hipcoach home: its own data folder and database."""

    path: Path
    url: str
    runner: CliRunner

    def answers(self, name: str, data: dict[str, Any]) -> Path:
        path = self.path / f"{name}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    def run(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(app, list(args), input=input)

    def db(self) -> Database:
        return open_database(self.url)

    def person(self) -> PersonInfo:
        db = self.db()
        try:
            return people.require_person(db)
        finally:
            db.close()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Home]:
    url = f"sqlite:///{tmp_path / 'hipcoach.db'}"
    monkeypatch.setenv("HIPCOACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HIPCOACH_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "100")
    get_settings.cache_clear()
    yield Home(path=tmp_path, url=url, runner=CliRunner())
    get_settings.cache_clear()


def assert_one_line_error(result: Result, pattern: str) -> str:
    """The command failed with exactly one `error: ...` line naming `pattern`."""
    assert result.exit_code != 0, result.stdout
    lines = [ln for ln in result.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert pattern in lines[0], lines[0]
    assert "Traceback" not in result.stderr
    return lines[0]
