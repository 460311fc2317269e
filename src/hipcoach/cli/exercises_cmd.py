"""Placeholder until this command group is written (being built now)."""

import typer


def register(app: typer.Typer) -> None:
    """Add this group's commands to the main app."""
