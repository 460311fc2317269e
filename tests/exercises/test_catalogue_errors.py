"""Loader errors: one line naming the file and the field; lookups list the valid ids."""

from __future__ import annotations

import copy
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from hipcoach.errors import CatalogueError, HipcoachError
from hipcoach.exercises.catalogue import (
    format_field_path,
    get_exercise,
    load_catalogue,
    parse_catalogue,
    resolve_variation,
)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    text = resources.files("hipcoach.exercises").joinpath("catalogue.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def _write_changed(
    tmp_path: Path, raw: dict[str, Any], change: Callable[[dict[str, Any]], None]
) -> Path:
    data = copy.deepcopy(raw)
    change(data)
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _load_error(path: Path) -> str:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message


def test_unchanged_copy_loads(tmp_path: Path, raw: dict[str, Any]) -> None:
    path = _write_changed(tmp_path, raw, lambda d: None)
    assert load_catalogue(path) == load_catalogue()


def test_invalid_field_names_file_and_field_path(tmp_path: Path, raw: dict[str, Any]) -> None:
    def zero_reps(d: dict[str, Any]) -> None:
        d["exercises"][2]["dosage"]["reps_min"] = 0

    path = _write_changed(tmp_path, raw, zero_reps)
    assert _load_error(path) == (
        f"{path}: exercises[2].dosage.reps_min: Input should be greater than or equal to 1"
    )


def test_default_file_is_named_in_messages(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["exercises"][0]["camera"]["view"] = "ceiling"
    with pytest.raises(CatalogueError, match=r"^catalogue\.yaml: exercises\[0\]\.camera\.view: "):
        parse_catalogue(yaml.safe_dump(data), source="catalogue.yaml")


def test_broken_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("version: 1\nset_checks:\n  - id: shaking\n   threshold: 2\n", "utf-8")
    message = _load_error(path)
    assert "line 4" in message


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("version: 1\nversion: 2\nset_checks: []\nexercises: []\n", "utf-8")
    assert "duplicate key 'version'" in _load_error(path)


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n", "utf-8")
    assert "expected a mapping" in _load_error(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    assert "cannot read" in _load_error(path)


def test_unknown_check_names_exercise_and_id(tmp_path: Path, raw: dict[str, Any]) -> None:
    def rename(d: dict[str, Any]) -> None:
        d["exercises"][0]["checks"][1]["id"] = "knee_wobbles"

    message = _load_error(_write_changed(tmp_path, raw, rename))
    assert "exercises[0].checks[1].id" in message
    assert "'clamshell'" in message and "'knee_wobbles'" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["exercises"][0]["checks"][2].update(unit="deg"),
            "exercises[0].checks[2].unit: check 'feet_apart' is measured in thigh",
        ),
        (
            lambda d: d["exercises"][0]["checks"][0].update(threshold=0),
            "exercises[0].checks[0].threshold",
        ),
        (
            lambda d: d["exercises"][0]["checks"].append(dict(d["set_checks"][1])),
            "'shaking' is a set check",
        ),
        (lambda d: d["set_checks"].pop(), "set_checks: missing set check(s): view_incomplete"),
        (
            lambda d: d["set_checks"][0].update(id="pelvis_rolls_back"),
            "set_checks[0].id: unknown set check",
        ),
        (
            lambda d: d["exercises"][1]["checks"].append(dict(d["exercises"][0]["checks"][4])),
            "wrong_hip_angle needs variations",
        ),
        (
            lambda d: d["exercises"][3]["checks"].append(dict(d["exercises"][4]["checks"][3])),
            "hold_too_short needs dosage.hold_s",
        ),
        (
            lambda d: d["exercises"][0]["self_report"][4].update(choices=["only one"]),
            "exercises[0].self_report[4].choices",
        ),
        (
            lambda d: d["exercises"][0]["variations"][0].update(hip_flexion_deg=[65, 30]),
            "exercises[0].variations[0].hip_flexion_deg",
        ),
        (
            lambda d: d["exercises"][3].update(progression="foot_slide_elevated"),
            "exercises[3].progression: exercise 'heel_slide': progression 'foot_slide_elevated'",
        ),
        (
            lambda d: d["exercises"][0].update(default_variation="sideways"),
            "exercises[0]: default_variation must be one of",
        ),
        (lambda d: d["exercises"][0].update(colour="red"), "exercises[0].colour: Extra inputs"),
        (
            lambda d: d["exercises"][3].update(progression="side_split"),
            "exercises[3].progression: exercise 'heel_slide' links to unknown exercise",
        ),
        (
            lambda d: d["exercises"][4].update(id="heel_slide"),
            "exercises[4].id: exercise ids must be unique",
        ),
    ],
)
def test_rule_breaks_name_the_field(
    tmp_path: Path, raw: dict[str, Any], change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    assert expected in _load_error(_write_changed(tmp_path, raw, change))


def test_several_problems_are_counted_on_one_line(tmp_path: Path, raw: dict[str, Any]) -> None:
    def two_bad(d: dict[str, Any]) -> None:
        d["exercises"][0]["dosage"]["reps_min"] = 0
        d["exercises"][1]["dosage"]["rest_s"] = -1

    message = _load_error(_write_changed(tmp_path, raw, two_bad))
    assert "exercises[0].dosage.reps_min" in message and message.endswith("(and 1 more problem)")


def test_field_paths_are_written_like_code() -> None:
    assert format_field_path(("exercises", 2, "dosage", "reps_min")) == (
        "exercises[2].dosage.reps_min"
    )
    assert format_field_path(()) == ""


def test_catalogue_error_is_a_hipcoach_error() -> None:
    assert issubclass(CatalogueError, HipcoachError)


def test_get_exercise() -> None:
    assert get_exercise("heel_slide").level == 1
    with pytest.raises(CatalogueError) as info:
        get_exercise("splits")
    message = str(info.value)
    assert "'splits'" in message
    for exercise in load_catalogue().exercises:
        assert exercise.id in message


def test_get_exercise_uses_a_given_catalogue(tmp_path: Path, raw: dict[str, Any]) -> None:
    def rename(d: dict[str, Any]) -> None:
        d["exercises"][1]["id"] = "leg_lift_renamed"

    custom = load_catalogue(_write_changed(tmp_path, raw, rename))
    assert get_exercise("leg_lift_renamed", custom).track == "side_lying_leg_lift"
    with pytest.raises(CatalogueError):
        get_exercise("leg_lift_renamed")


def test_resolve_variation_default_and_named() -> None:
    clam = get_exercise("clamshell")
    default = resolve_variation(clam, None)
    assert default is not None and default.id == clam.default_variation == "standard"
    tucked = resolve_variation(clam, "knees_tucked")
    assert tucked is not None and tucked.hip_flexion_deg == (85, 125)


def test_resolve_variation_unknown_lists_valid_ones() -> None:
    with pytest.raises(CatalogueError) as info:
        resolve_variation(get_exercise("clamshell"), "upside_down")
    message = str(info.value)
    assert "'upside_down'" in message
    assert all(v in message for v in ("standard", "knees_tucked", "hips_extended"))


def test_resolve_variation_without_variations() -> None:
    heel = get_exercise("heel_slide")
    assert resolve_variation(heel, None) is None
    with pytest.raises(CatalogueError, match="has no variations"):
        resolve_variation(heel, "standard")
