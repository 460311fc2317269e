"""The progress report: its numbers from the store and the HTML with its four plots."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from tests.programme.helpers import day, new_person, train_day
from tests.store.databases import database_url, db

from hipcoach.errors import InputFileError
from hipcoach.programme import sessions
from hipcoach.reports.html import (
    PLOT_IDS,
    build_figures,
    render_progress_html,
    summary_lines,
    write_progress_html,
)
from hipcoach.reports.progress import PainPoint, ProgressData, SessionPoint, collect_progress
from hipcoach.store.database import Database

__all__ = ["database_url", "db"]

D = dt.date(2025, 1, 6)


def sample() -> ProgressData:
    return ProgressData(
        name="Ana <script>",
        baseline_pain=5,
        pain_mcid=2.0,
        pain=[PainPoint(D, 5, 4, 5), PainPoint(D + dt.timedelta(days=2), 2, 2, None)],
        sessions=[
            SessionPoint(D, 1, "completed", 18, 20, 0.25),
            SessionPoint(D + dt.timedelta(days=2), 2, "interrupted", 8, 20, None),
        ],
        psfs=[(D, 4.0), (D + dt.timedelta(days=7), 6.5)],
        groc=[(D + dt.timedelta(days=7), 3)],
    )


def test_report_has_its_four_plots_and_runs_offline() -> None:
    page = render_progress_html(sample())
    for plot_id in PLOT_IDS:
        assert f'id="{plot_id}"' in page
    assert page.count("Plotly.newPlot") == 4
    assert not re.search(r"<script[^>]+src=", page)  # plotly.js is inline, nothing fetched
    assert "Ana &lt;script&gt;" in page
    assert "group estimates" in page and "does not diagnose" in page


def test_pain_plot_draws_the_meaningful_change_band() -> None:
    pain = build_figures(sample())["plot-pain"]
    [band] = [s for s in pain.layout.shapes if s.type == "rect"]
    assert (band.y0, band.y1) == (3.0, 7.0)  # baseline 5 +- 2 points
    assert [t.name for t in pain.data] == ["before the session", "worst during", "next morning"]
    reps = build_figures(sample())["plot-reps"]
    assert list(reps.data[2].y) == [25.0, None]


def test_summary_sentences_compare_against_the_thresholds() -> None:
    lines = summary_lines(sample())
    assert lines[0] == "2 session(s) recorded."
    assert "3 points lower than at the start: likely a real change" in lines[1]
    assert "a medium change for the better (+2.5)" in lines[2]
    assert "+3" in lines[3]


def test_an_empty_history_still_renders() -> None:
    page = render_progress_html(ProgressData(name="new", baseline_pain=None, pain_mcid=2.0))
    assert all(f'id="{p}"' in page for p in PLOT_IDS)


def test_unwritable_report_path(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="cannot be written"):
        write_progress_html(sample(), tmp_path / "missing" / "r.html")


def test_collect_progress_from_the_store(db: Database) -> None:
    person = new_person(db, goals=("back_pain", "splits"))
    train_day(db, person, 0, pain=2)
    train_day(db, person, 1, pain=3)
    train_day(db, person, 2, pain=1)
    sessions.record_checkin(db, person.id, day(7), [7, 7, 7], 4)
    data = collect_progress(db, person.id)
    assert [(p.before, p.peak, p.morning) for p in data.pain] == [
        (2, 2, 2),
        (2, 3, 2),
        (2, 1, None),
    ]
    # 8 psoas + 10 clamshell reps; two clean days add 2 reps to each on day 2.
    assert [s.reps_done for s in data.sessions] == [18, 18, 22]
    assert all(s.flagged_fraction is None for s in data.sessions)  # typed: no camera
    assert [(p.track, p.action) for p in data.levels] == [
        ("psoas", "start"),
        ("clamshell", "start"),
        ("psoas", "progress"),
        ("clamshell", "progress"),
    ]
    assert data.psfs == [(day(0), 5.0), (day(7), 7.0)]
    assert data.groc == [(day(7), 4)]
