"""`hipcoach exercises` and `hipcoach exercises show ID` through the real CLI app.

(These live beside the catalogue tests because this helper owns `tests/exercises/`;
they test `hipcoach.cli.exercises_cmd`.)
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hipcoach.cli.main import app
from hipcoach.exercises.catalogue import load_catalogue


@pytest.fixture
def runner() -> CliRunner:
    # A wide terminal, so table cells are not wrapped in the middle of an id.
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})


def test_list_shows_every_exercise(runner: CliRunner) -> None:
    result = runner.invoke(app, ["exercises"])
    assert result.exit_code == 0, result.output
    for exercise in load_catalogue().exercises:
        assert exercise.id in result.stdout
        assert exercise.name in result.stdout
    assert "knees_tucked" in result.stdout and "front_or_side" in result.stdout


def test_show_prints_the_whole_entry(runner: CliRunner) -> None:
    result = runner.invoke(app, ["exercises", "show", "clamshell"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    clam = load_catalogue().get("clamshell")
    assert clam is not None
    for heading in ("Purpose", "Target muscles", "Set-up", "Camera", "Dosage", "Stop rule"):
        assert heading in out
    assert clam.purpose.split()[0] in out
    assert "pelvis_rolls_back: threshold 10 deg" in out
    assert "feet_apart: threshold 0.25 x thigh length" in out
    assert "isolation_lost: threshold a ratio of 0.5" in out
    for check in clam.checks:
        assert check.message in out
    for question in clam.self_report:
        assert question.question in out
    assert "deep in the buttock / outer hip" in out
    assert "hips_extended" in out and "-25 to 15 deg" in out
    assert "10-20 reps, 1-3 sets" in out
    assert "[weak evidence]" in out and "Willcox" in out


def test_show_psoas_level_with_hold_and_links(runner: CliRunner) -> None:
    result = runner.invoke(app, ["exercises", "show", "supine_knee_lift"])
    assert result.exit_code == 0, result.output
    assert "hold 5 s" in result.stdout
    assert "hold_too_short: threshold a ratio of 0.8" in result.stdout
    assert "next: seated_knee_lift" in result.stdout
    assert "easier: heel_slide" in result.stdout


def test_show_unknown_id_is_one_line_and_fails(runner: CliRunner) -> None:
    result = runner.invoke(app, ["exercises", "show", "splits"])
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: unknown exercise 'splits'")
    assert "clamshell" in lines[0] and "leg_lower" in lines[0]
    assert "Traceback" not in result.output


def test_group_help_mentions_show(runner: CliRunner) -> None:
    result = runner.invoke(app, ["exercises", "--help"])
    assert result.exit_code == 0
    assert "show" in result.stdout
