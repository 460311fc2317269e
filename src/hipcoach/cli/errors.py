"""Turn HipcoachError into one printed line and a non-zero exit, at the CLI edge only."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from hipcoach.errors import HipcoachError

P = ParamSpec("P")
R = TypeVar("R")


def one_line_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator for commands: known errors print `error: ...` to stderr and exit non-zero."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except HipcoachError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            print("stopped: what was finished is kept.", file=sys.stderr)
            raise typer.Exit(130) from None

    return wrapper
