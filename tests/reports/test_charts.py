"""The progress charts read right for 0, 1, 2, 7 and 90 sessions: checked on the plotly
figures' data and layout, which the web page and the HTML report both draw."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import pytest

from hipcoach.reports.charts import DAY_MS, FORM_AXIS, build_figures
from hipcoach.reports.progress import LevelPoint, PainPoint, ProgressData, SessionPoint

D = dt.date(2025, 3, 3)


def history(count: int, per_day: int = 1) -> ProgressData:
    """`count` sessions on consecutive days (`per_day` on each), a level change midway."""
    days = [D + dt.timedelta(days=i // per_day) for i in range(count)]
    levels = [
        LevelPoint(
            D,
            "psoas",
            "Psoas ladder",
            0,
            "Foot slide",
            "1 x 8 reps",
            "start",
            "why",
            level="Level 1 of 6: Foot slide",
            steps=6,
        ),
        LevelPoint(
            D,
            "clamshell",
            "Clamshell",
            0,
            "Clamshell",
            "1 x 10 reps",
            "start",
            "why",
            level="Level 1 of 3: Clamshell",
            steps=3,
        ),
    ]
    if count > 2:
        levels.append(
            LevelPoint(
                days[count // 2],
                "psoas",
                "Psoas ladder",
                1,
                "Heel slide",
                "1 x 8 reps",
                "progress",
                "two clean sessions",
                level="Level 2 of 6: Heel slide",
                steps=6,
            )
        )
    return ProgressData(
        name="t",
        baseline_pain=3,
        pain_mcid=2.0,
        pain=[PainPoint(d, 2, 3, 2) for d in days],
        sessions=[SessionPoint(d, i + 1, "completed", 10, 10, 0.5) for i, d in enumerate(days)],
        levels=levels if count else [],
    )


def x_range_days(fig: go.Figure) -> float:
    first, last = (dt.datetime.fromisoformat(v) for v in fig.layout.xaxis.range)
    return (last - first).total_seconds() / 86400


@pytest.mark.parametrize("count", [1, 2, 7, 90])
def test_time_axes_are_in_days_with_at_least_a_week_shown(count: int) -> None:
    for plot_id, fig in build_figures(history(count)).items():
        if plot_id == "plot-psfs":
            continue  # no PSFS in this history
        axis = fig.layout.xaxis
        assert axis.type == "date" and axis.tickformat == "%d %b", plot_id
        span = x_range_days(fig)
        assert span >= 7, (plot_id, span)  # never hours: a single day gets a week around it
        assert span <= count + 7, (plot_id, span)
        if count <= 14:
            assert axis.dtick == DAY_MS  # one tick a day, no sub-day ticks
        else:
            assert axis.dtick is None


@pytest.mark.parametrize("count", [1, 2, 7, 90])
def test_reps_bars_are_a_day_wide_at_most_and_the_axes_say_what_they_show(count: int) -> None:
    fig = build_figures(history(count))["plot-reps"]
    bars, planned, form = fig.data
    assert list(planned.y) == [10] * count
    assert len(bars.x) == count
    assert all(w <= DAY_MS for w in bars.width)
    assert fig.layout.yaxis.title.text == "reps per day"
    assert fig.layout.yaxis2.title.text == FORM_AXIS
    assert tuple(fig.layout.yaxis2.range) == (0, 105)  # the 100 % marker is not cut off
    assert tuple(fig.layout.yaxis2.tickvals) == (0, 25, 50, 75, 100)
    assert list(form.y) == [50.0] * count
    assert fig.layout.yaxis.range[1] > max(bars.y)  # the bar does not fill the chart


def test_two_sessions_on_one_day_are_one_bar() -> None:
    fig = build_figures(history(4, per_day=2))["plot-reps"]
    bars = fig.data[0]
    assert list(bars.x) == [D, D + dt.timedelta(days=1)]
    assert list(bars.y) == [20, 20]
    pain = build_figures(history(4, per_day=2))["plot-pain"]
    assert all(len(trace.x) == 2 for trace in pain.data)


@pytest.mark.parametrize("count", [1, 2, 7, 90])
def test_levels_are_counted_from_one_and_drawn_to_the_last_day(count: int) -> None:
    fig = build_figures(history(count))["plot-levels"]
    traces = {t.name: t for t in fig.data}
    assert set(traces) == {"Psoas ladder", "Clamshell"}
    assert traces["Clamshell"].y[0] == 1  # the first level is 1, not "step 0"
    assert fig.layout.yaxis.range[0] < 1 <= 6 < fig.layout.yaxis.range[1]
    assert fig.layout.yaxis.title.text == "level (1 = the first)"
    last_day = D + dt.timedelta(days=count - 1)
    for trace in traces.values():
        assert trace.x[-1] == last_day
    if count > 2:
        assert list(traces["Psoas ladder"].y)[-1] == 2
        assert "Level 2 of 6: Heel slide" in traces["Psoas ladder"].text[-1]


def test_no_sessions_says_so_instead_of_drawing_empty_axes() -> None:
    empty = ProgressData(name="new", baseline_pain=2, pain_mcid=2.0)
    for fig in build_figures(empty).values():
        assert fig.layout.xaxis.visible is False
        [note] = fig.layout.annotations[-1:]
        assert "Nothing recorded yet" in note.text
