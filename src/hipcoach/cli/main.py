"""The `hipcoach` command. Each command group lives in its own module and registers itself."""

from __future__ import annotations

from typing import Annotated

import typer

from hipcoach.cli import analyze_cmd, exercises_cmd, programme_cmd, serve_cmd
from hipcoach.cli.quiet import silence_native_logs

app = typer.Typer(
    name="hipcoach",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    add_completion=False,
)


@app.callback()
def main(
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", help="Show the pose libraries' own log messages (TensorFlow, absl)."
        ),
    ] = False,
) -> None:
    """A local coach for a strong, flexible psoas and the precise clamshell. It coaches
    exercise; it does not diagnose."""
    if not verbose:
        silence_native_logs()


for module in (analyze_cmd, exercises_cmd, programme_cmd, serve_cmd):
    module.register(app)


if __name__ == "__main__":
    app()
