"""The progress charts (plotly), shared by the web page and the HTML report.

They read right for any amount of data: the time axis is in days (a single day gets a
week around it, never hours), sessions on one day are one bar, bars are a day wide at
most, each axis is titled by what it shows, and levels are counted from 1 as every page
counts them. With no data a chart says so instead of drawing empty axes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from hipcoach.programme.measures import PSFS_MCID_SMALL
from hipcoach.reports.progress import ProgressData, SessionPoint

PLOT_IDS = ("plot-pain", "plot-reps", "plot-levels", "plot-psfs")
DAY_MS = 86_400_000
BAR_WIDTH_DAYS = 0.6
DAILY_TICKS_UP_TO = 14
"""Up to two weeks, every day gets its own tick; beyond that plotly picks round dates."""
FORM_AXIS = "% of camera-watched reps that lost form"


def _day_range(days: Iterable[dt.date]) -> tuple[dt.datetime, dt.datetime] | None:
    """Midnights of the first and last day shown; a short history is padded to a week."""
    known = sorted(set(days))
    if not known:
        return None
    first = dt.datetime.combine(known[0], dt.time())
    last = dt.datetime.combine(known[-1], dt.time())
    if (last - first).days < 6:  # centre a short history in a week
        pad = dt.timedelta(days=(6 - (last - first).days) / 2)
        return first - pad, last + pad
    return first, last


def _date_axis(fig: go.Figure, days: list[dt.date]) -> go.Figure:
    """An x axis in days from the first to the last date shown, with half a day spare."""
    span = _day_range(days)
    if span is None:
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        fig.add_annotation(
            text="Nothing recorded yet: your sessions will show here.",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
            font={"size": 15},
        )
        return fig
    first = span[0] - dt.timedelta(hours=12)
    last = span[1] + dt.timedelta(hours=12)
    fig.update_xaxes(
        type="date",
        range=[first.isoformat(), last.isoformat()],
        tickformat="%d %b",
        title_text="day",
    )
    if (span[1] - span[0]).days <= DAILY_TICKS_UP_TO:
        tick0 = min(days).isoformat()
        fig.update_xaxes(dtick=DAY_MS, tick0=tick0)
    return fig


def _layout(fig: go.Figure, title: str, y_title: str | None) -> go.Figure:
    fig.update_layout(
        title=title,
        template="plotly_white",
        height=380,
        margin={"l": 60, "r": 60, "t": 60, "b": 50},
        legend={"orientation": "h", "y": -0.25},
    )
    if y_title is not None:
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
        fig.add_hline(y=data.baseline_pain, line_dash="dot", annotation_text="your usual pain")
    by_day: dict[dt.date, list[int | None]] = {}
    for p in data.pain:  # one point a day: the day's highest answers
        row = by_day.setdefault(p.on, [None, None, None])
        for i, value in enumerate((p.before, p.peak, p.morning)):
            if value is not None:
                row[i] = max(value, row[i] or 0)
    days = sorted(by_day)
    for i, label in enumerate(("before the session", "worst during", "next morning")):
        fig.add_trace(
            go.Scatter(x=days, y=[by_day[d][i] for d in days], mode="lines+markers", name=label)
        )
    fig.update_yaxes(range=[-0.3, 10.3], dtick=2)
    _date_axis(fig, days)
    return _layout(fig, "Pain (0-10)", "pain (0 none, 10 worst)")


def _per_day(sessions: list[SessionPoint]) -> list[tuple[dt.date, int, int, float | None]]:
    """(day, reps done, reps planned, share of watched reps that lost form) per day."""
    days: dict[dt.date, list[SessionPoint]] = {}
    for s in sessions:
        days.setdefault(s.on, []).append(s)
    rows = []
    for day, points in sorted(days.items()):
        watched = [p for p in points if p.flagged_fraction is not None]
        weight = sum(p.reps_done for p in watched)
        share = (
            sum((p.flagged_fraction or 0) * p.reps_done for p in watched) / weight
            if weight
            else (0.0 if watched else None)
        )
        rows.append(
            (day, sum(p.reps_done for p in points), sum(p.reps_target for p in points), share)
        )
    return rows


def reps_figure(data: ProgressData) -> go.Figure:
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    rows = _per_day(data.sessions)
    days = [r[0] for r in rows]
    fig.add_trace(
        go.Bar(
            x=days,
            y=[r[1] for r in rows],
            name="reps done",
            width=[BAR_WIDTH_DAYS * DAY_MS] * len(rows),
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=days,
            y=[r[2] for r in rows],
            name="reps planned",
            mode="markers",
            marker_symbol="line-ew-open",
            marker_size=22,
            marker_line_width=3,
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=days,
            y=[None if r[3] is None else round(100 * r[3], 1) for r in rows],
            name="reps that lost form (%)",
            mode="lines+markers",
        ),
        secondary_y=True,
    )
    top = max([r[1] for r in rows] + [r[2] for r in rows] + [1])
    fig.update_yaxes(title_text="reps per day", range=[0, top * 1.15], secondary_y=False)
    fig.update_yaxes(
        title_text=FORM_AXIS,
        range=[0, 105],
        tickmode="array",  # its own round ticks, not the reps axis's grid
        tickvals=[0, 25, 50, 75, 100],
        ticksuffix="%",
        showgrid=False,
        secondary_y=True,
    )
    _date_axis(fig, days)
    return _layout(fig, "Reps and form per day", None)


def levels_figure(data: ProgressData) -> go.Figure:
    """Each track's level (counted from 1) over time, drawn on to the last day known."""
    fig = go.Figure()
    end = max([p.on for p in data.levels] + [s.on for s in data.sessions], default=None)
    top = 1
    for track in dict.fromkeys(p.track for p in data.levels):
        points = [p for p in data.levels if p.track == track]
        top = max(top, points[-1].steps)
        xs = [p.on for p in points]
        ys = [p.step + 1 for p in points]
        texts = [f"{p.level}<br>{p.dose}<br>{p.reason}" for p in points]
        if end is not None and end > xs[-1]:  # the level holds until today
            xs, ys, texts = [*xs, end], [*ys, ys[-1]], [*texts, texts[-1]]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers",
                line_shape="hv",
                name=points[0].track_title,
                text=texts,
                hovertemplate="%{x|%d %b}<br>%{text}<extra></extra>",
            )
        )
    fig.update_yaxes(range=[0.5, top + 0.5], dtick=1, tick0=1)
    _date_axis(fig, [p.on for p in data.levels] + ([end] if end else []))
    return _layout(fig, "Level on each track", "level (1 = the first)")


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
    days = [d for d, _ in data.psfs]
    fig.add_trace(
        go.Scatter(
            x=days,
            y=[v for _, v in data.psfs],
            mode="lines+markers",
            name="PSFS (mean of your 3 activities)",
        )
    )
    fig.update_yaxes(range=[-0.3, 10.3], dtick=2)
    _date_axis(fig, days)
    return _layout(fig, "What you can do (PSFS, higher is better)", "score (0-10)")


def build_figures(data: ProgressData) -> dict[str, go.Figure]:
    """The report's plots keyed by their element id (see PLOT_IDS)."""
    return dict(
        zip(
            PLOT_IDS,
            (pain_figure(data), reps_figure(data), levels_figure(data), psfs_figure(data)),
            strict=True,
        )
    )
