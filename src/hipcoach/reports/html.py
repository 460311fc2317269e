"""The progress report as one self-contained HTML file with interactive plots (plotly).

plotly.js is embedded in the file, so the report opens offline and never loads anything
from the network. Four plots: pain trend with the meaningful-change band, reps and
compensation rate per session, the level timeline, and the PSFS. `build_figures` is
public so the web app can show the same plots.
"""

from __future__ import annotations

import html
from pathlib import Path

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from hipcoach.errors import InputFileError
from hipcoach.programme.measures import (
    PSFS_MCID_SMALL,
    describe_pain_change,
    describe_psfs_change,
)
from hipcoach.reports.progress import ProgressData

PLOT_IDS = ("plot-pain", "plot-reps", "plot-levels", "plot-psfs")
CAVEAT = (
    "Meaningful-change bands are group estimates (about 2 points for pain, Ostelo 2008; "
    "1.3 points for a small PSFS change, Abbott & Schmitt 2014). They depend on where you "
    "started, so read them as a guide, not a verdict. This report describes your training; "
    "it does not diagnose anything."
)


def _layout(fig: go.Figure, title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title=title,
        template="plotly_white",
        height=360,
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
    )
    fig.update_yaxes(title_text=y_title)
    return fig


def pain_figure(data: ProgressData) -> go.Figure:
    fig = go.Figure()
    if data.baseline_pain is not None:
        low = max(0.0, data.baseline_pain - data.pain_mcid)
        high = min(10.0, data.baseline_pain + data.pain_mcid)
        fig.add_hrect(
            y0=low,
            y1=high,
            fillcolor="lightgrey",
            opacity=0.4,
            line_width=0,
            annotation_text="no clear change",
            annotation_position="top left",
        )
        fig.add_hline(y=data.baseline_pain, line_dash="dot", annotation_text="your start")
    days = [p.on for p in data.pain]
    for label, values in (
        ("before the session", [p.before for p in data.pain]),
        ("worst during", [p.peak for p in data.pain]),
        ("next morning", [p.morning for p in data.pain]),
    ):
        fig.add_trace(go.Scatter(x=days, y=values, mode="lines+markers", name=label))
    fig.update_yaxes(range=[0, 10])
    return _layout(fig, "Pain (0-10)", "pain")


def reps_figure(data: ProgressData) -> go.Figure:
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    days = [s.on for s in data.sessions]
    fig.add_trace(go.Bar(x=days, y=[s.reps_done for s in data.sessions], name="reps done"))
    fig.add_trace(
        go.Scatter(
            x=days,
            y=[s.reps_target for s in data.sessions],
            name="reps planned",
            mode="markers",
            marker_symbol="line-ew-open",
            marker_size=18,
        )
    )
    rates = [
        None if s.flagged_fraction is None else 100 * s.flagged_fraction for s in data.sessions
    ]
    fig.add_trace(
        go.Scatter(x=days, y=rates, name="reps that lost form (%)", mode="lines+markers"),
        secondary_y=True,
    )
    fig.update_yaxes(title_text="% flagged", range=[0, 100], secondary_y=True)
    return _layout(fig, "Reps and form per session", "reps")


def levels_figure(data: ProgressData) -> go.Figure:
    fig = go.Figure()
    tracks = dict.fromkeys(p.track_title for p in data.levels)
    for track in tracks:
        points = [p for p in data.levels if p.track_title == track]
        fig.add_trace(
            go.Scatter(
                x=[p.on for p in points],
                y=[p.step for p in points],
                mode="lines+markers",
                line_shape="hv",
                name=track,
                text=[f"{p.title}: {p.dose}<br>{p.reason}" for p in points],
                hovertemplate="%{x}<br>%{text}<extra></extra>",
            )
        )
    fig.update_yaxes(dtick=1, rangemode="tozero")
    return _layout(fig, "Level on each track (changes only)", "step")


def psfs_figure(data: ProgressData) -> go.Figure:
    fig = go.Figure()
    if data.psfs:
        start = data.psfs[0][1]
        fig.add_hrect(
            y0=max(0, start - PSFS_MCID_SMALL),
            y1=min(10, start + PSFS_MCID_SMALL),
            fillcolor="lightgrey",
            opacity=0.4,
            line_width=0,
        )
    fig.add_trace(
        go.Scatter(
            x=[d for d, _ in data.psfs],
            y=[v for _, v in data.psfs],
            mode="lines+markers",
            name="PSFS (mean of your 3 activities)",
        )
    )
    fig.update_yaxes(range=[0, 10])
    return _layout(fig, "What you can do (PSFS, 0-10, higher is better)", "score")


def build_figures(data: ProgressData) -> dict[str, go.Figure]:
    """The report's plots keyed by their element id (see PLOT_IDS)."""
    return dict(
        zip(
            PLOT_IDS,
            (pain_figure(data), reps_figure(data), levels_figure(data), psfs_figure(data)),
            strict=True,
        )
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
