"""`make bench`: every benchmark, printed as one table. Figures drift between machines;
compare the ratios within one run."""

from __future__ import annotations

import argparse
import importlib
import os
import time
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

SECTIONS: list[tuple[str, str, str]] = [
    ("accuracy (synthetic suite)", "bench.accuracy", "run_accuracy"),
    ("speed and memory (real clips)", "bench.speed", "run_speed"),
    ("image/world fusion (rendered clamshells)", "bench.fusion", "run_fusion"),
    ("web app", "bench.web", "run_web_bench"),
    (
        "pose in the browser (headless Chromium, real clips as the camera)",
        "bench.device_pose",
        "run_device_bench",
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", choices=[m.split(".")[1] for _, m, _ in SECTIONS], nargs="*")
    args = parser.parse_args()
    console = Console(width=int(os.environ.get("COLUMNS", "150")))
    for title, module_name, func_name in SECTIONS:
        if args.only and module_name.split(".")[1] not in args.only:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            console.print(f"[yellow]{title}: not available ({exc})[/yellow]")
            continue
        func: Callable[[], list[dict[str, object]]] = getattr(module, func_name)
        start = time.perf_counter()
        rows = func()
        table = Table(title=f"{title} ({time.perf_counter() - start:.0f} s)")
        columns = list(rows[0]) if rows else []
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*(str(row.get(c, "")) for c in columns))
        console.print(table)


if __name__ == "__main__":
    main()
