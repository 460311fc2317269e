"""The progress report as one self-contained HTML file with interactive plots (plotly).

plotly.js is embedded in the file, so the report opens offline and never loads anything
from the network. Four plots: pain trend with the meaningful-change band, reps and
compensation rate per day, the level timeline, and the PSFS, all from
`hipcoach.reports.charts`, which the web page uses too.
"""

from __future__ import annotations

import html
from pathlib import Path

from hipcoach.errors import InputFileError
from hipcoach.programme.measures import describe_pain_change, describe_psfs_change
from hipcoach.reports.charts import PLOT_IDS, build_figures
from hipcoach.reports.progress import ProgressData

__all__ = ["PLOT_IDS", "build_figures", "render_progress_html", "summary_lines"]
CAVEAT = (
    "Meaningful-change bands are group estimates (about 2 points for pain, Ostelo 2008; "
    "1.3 points for a small PSFS change, Abbott & Schmitt 2014). They depend on where you "
    "started, so read them as a guide, not a verdict. This report describes your training; "
    "it does not diagnose anything."
)


def summary_lines(data: ProgressData) -> list[str]:
    """Plain sentences about change so far (empty parts left out)."""
    lines = [f"{len(data.sessions)} session(s) recorded."]
    pains = [p.before for p in data.pain if p.before is not None]
    if data.baseline_pain is not None and pains:
        change = describe_pain_change(data.baseline_pain, pains[-1])
        lines.append(f"Pain before your latest session: {pains[-1]}/10, {change}.")
    if len(data.psfs) > 1:
        first, last = data.psfs[0][1], data.psfs[-1][1]
        lines.append(f"PSFS: {first:.1f} to {last:.1f}, {describe_psfs_change(first, last)}.")
    if data.groc:
        lines.append(f"Your latest rating of change: {data.groc[-1][1]:+d} (-7 to +7).")
    return lines


def render_progress_html(data: ProgressData) -> str:
    """The whole report as an HTML document (plotly.js inline, no network needed)."""
    parts = []
    for index, (plot_id, fig) in enumerate(build_figures(data).items()):
        parts.append(fig.to_html(full_html=False, include_plotlyjs=index == 0, div_id=plot_id))
    summary = "".join(f"<li>{html.escape(line)}</li>" for line in summary_lines(data))
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>hipcoach progress: {html.escape(data.name)}</title>"
        "<style>body{font-family:sans-serif;max-width:960px;margin:auto;padding:1em}"
        ".caveat{color:#555;font-size:0.9em}</style></head><body>"
        f"<h1>Progress for {html.escape(data.name)}</h1><ul>{summary}</ul>"
        + "".join(parts)
        + f"<p class='caveat'>{html.escape(CAVEAT)}</p></body></html>"
    )


def write_progress_html(data: ProgressData, path: Path) -> Path:
    """Write the report; InputFileError when the file cannot be written."""
    try:
        path.write_text(render_progress_html(data), encoding="utf-8")
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    return path
