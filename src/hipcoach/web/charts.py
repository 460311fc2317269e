"""Interactive progress charts (plotly figures as JSON, drawn by the locally served
plotly.js): pain with its meaningful-change band, reps and compensation rate per session,
the level on each track over time, and the PSFS score.

Meaningful-change thresholds are group estimates (NPRS about 2 points, PSFS 1.3-2.7): the
band is a guide, not a verdict.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hipcoach.programme.history import list_measures, list_sessions, morning_pains
from hipcoach.programme.measures import NPRS_MCID, PSFS, PSFS_MCID_SMALL
from hipcoach.programme.models import PersonInfo, SessionInfo
from hipcoach.programme.planner import decision_history
from hipcoach.programme.tracks import TRACK_TITLES
from hipcoach.store.database import Database

LAYOUT: dict[str, Any] = {
    "margin": {"l": 50, "r": 20, "t": 40, "b": 40},
    "height": 320,
    "legend": {"orientation": "h", "y": -0.2},
    "paper_bgcolor": "rgba(0,0,0,0)",
}


def _figure(title: str, data: list[dict[str, Any]], **layout: Any) -> dict[str, Any]:
    return {"data": data, "layout": LAYOUT | {"title": {"text": title}} | layout}


def _dates(sessions: list[SessionInfo]) -> list[str]:
    return [s.performed_on.isoformat() for s in sessions]


def pain_figure(
    sessions: list[SessionInfo], mornings: dict[dt.date, int], baseline: int | None
) -> dict[str, Any]:
    """Peak set pain, pain before the session and the morning after (0-10 NPRS)."""
    with_sets = [s for s in sessions if s.sets]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "peak during sets",
            "x": _dates(with_sets),
            "y": [max(x.pain for x in s.sets) for s in with_sets],
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": "before the session",
            "x": _dates(sessions),
            "y": [s.pre_pain for s in sessions],
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "next morning",
            "x": [d.isoformat() for d in sorted(mornings)],
            "y": [mornings[d] for d in sorted(mornings)],
        },
    ]
    shapes = []
    if baseline is not None:
        shapes.append(
            {
                "type": "rect",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": max(0, baseline - NPRS_MCID),
                "y1": min(10, baseline + NPRS_MCID),
                "fillcolor": "rgba(23,89,74,0.12)",
                "line": {"width": 0},
            }
        )
    title = f"Pain (0-10); shaded: within {NPRS_MCID:g} points of your usual pain"
    return _figure(title, data, yaxis={"range": [0, 10.5], "title": "pain"}, shapes=shapes)


def reps_figure(sessions: list[SessionInfo]) -> dict[str, Any]:
    """Reps done against target per session, and the share of camera-watched reps flagged."""
    with_sets = [s for s in sessions if s.sets]
    rates: list[float | None] = []
    for s in with_sets:
        watched = [x for x in s.sets if x.flagged_reps is not None]
        reps = sum(x.actual_reps for x in watched)
        rates.append(
            round(100 * sum(x.flagged_reps or 0 for x in watched) / reps, 1) if reps else None
        )
    data: list[dict[str, Any]] = [
        {
            "type": "bar",
            "name": "reps done",
            "x": _dates(with_sets),
            "y": [sum(x.actual_reps for x in s.sets) for s in with_sets],
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "target reps",
            "x": _dates(with_sets),
            "y": [sum(x.target_reps for x in s.sets) for s in with_sets],
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "reps with a compensation cue (%)",
            "x": _dates(with_sets),
            "y": rates,
            "yaxis": "y2",
        },
    ]
    return _figure(
        "Reps per session and compensation rate",
        data,
        yaxis={"title": "reps"},
        yaxis2={"title": "% flagged", "overlaying": "y", "side": "right", "range": [0, 100]},
    )


def level_figure(db: Database, person_id: int) -> dict[str, Any]:
    """The step each track was on over time (steps counted from 1)."""
    titles: dict[str, str] = {str(k): v for k, v in TRACK_TITLES.items()}
    by_track: dict[str, tuple[list[str], list[int]]] = {}
    for record in decision_history(db, person_id):
        xs, ys = by_track.setdefault(record.track, ([], []))
        xs.append(record.decided_on.isoformat())
        ys.append(record.after.step + 1)
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "line": {"shape": "hv"},
            "name": titles.get(track, track),
            "x": xs,
            "y": ys,
        }
        for track, (xs, ys) in by_track.items()
    ]
    return _figure("Level on each track", data, yaxis={"title": "step", "dtick": 1})


def psfs_figure(db: Database, person_id: int) -> dict[str, Any]:
    """The PSFS score (mean of the rated activities, 0-10) per day it was asked."""
    by_day: dict[dt.date, list[float]] = {}
    for day, _item, value in list_measures(db, person_id, PSFS):
        by_day.setdefault(day, []).append(value)
    days = sorted(by_day)
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "PSFS",
            "x": [d.isoformat() for d in days],
            "y": [round(sum(by_day[d]) / len(by_day[d]), 2) for d in days],
        }
    ]
    title = f"Function (PSFS, 0-10, higher is better); a change of {PSFS_MCID_SMALL:g}+ may matter"
    return _figure(title, data, yaxis={"range": [0, 10.5]})


def build_progress_figures(db: Database, person: PersonInfo) -> dict[str, str]:
    """Chart id -> plotly figure JSON, ready to embed in the page."""
    sessions = list_sessions(db, person.id)
    figures = {
        "pain": pain_figure(sessions, morning_pains(db, person.id), person.baseline_pain),
        "reps": reps_figure(sessions),
        "levels": level_figure(db, person.id),
        "psfs": psfs_figure(db, person.id),
    }
    # "<" escaped so the JSON can sit inside a <script> element.
    return {key: json.dumps(fig).replace("<", "\\u003c") for key, fig in figures.items()}
