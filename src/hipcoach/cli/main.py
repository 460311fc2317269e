"""The `hipcoach` command. Each command group lives in its own module and registers itself."""

from __future__ import annotations

import typer

from hipcoach.cli import analyze_cmd, exercises_cmd, programme_cmd, serve_cmd

app = typer.Typer(
    name="hipcoach",
    help="A local coach for a strong, flexible psoas and the precise clamshell. "
    "It coaches exercise; it does not diagnose.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

for module in (analyze_cmd, exercises_cmd, programme_cmd, serve_cmd):
    module.register(app)


if __name__ == "__main__":
    app()
