"""The programme's commands: start, session, level, history, progress, export and
delete-my-data. They live in `start_cmd`, `session_cmd` and `records_cmd`; this module
registers them all with the main app."""

from __future__ import annotations

import typer

from hipcoach.cli import records_cmd, session_cmd, start_cmd


def register(app: typer.Typer) -> None:
    """Add this group's commands to the main app."""
    app.command("start")(start_cmd.start)
    app.command("session")(session_cmd.session)
    app.command("level")(records_cmd.level)
    app.command("history")(records_cmd.history_command)
    app.command("progress")(records_cmd.progress)
    app.command("export")(records_cmd.export)
    app.command("delete-my-data")(records_cmd.delete_my_data)
