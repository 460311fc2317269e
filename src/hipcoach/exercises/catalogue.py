"""The exercise catalogue: load `catalogue.yaml`, validate it, and look up exercises.

The catalogue is package data. `load_catalogue()` reads and validates it once per process;
`get_exercise()` and `resolve_variation()` turn ids typed by a person into models, with a
one-line `CatalogueError` listing the valid choices when an id is wrong.

Validation has two layers: the pydantic models in `hipcoach.exercises.schema` (shape, types,
ranges, links between exercises) and the rules here that need to know what the analysis
engine implements (known check ids and the unit each one is measured in).
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import ValidationError

from hipcoach.errors import CatalogueError
from hipcoach.exercises.schema import (
    Catalogue,
    CheckSpec,
    EvidenceStrength,
    Exercise,
    Unit,
    Variation,
)

DEFAULT_FILE = "catalogue.yaml"

REP_CHECK_UNITS: Mapping[str, Unit] = MappingProxyType(
    {
        "pelvis_rolls_back": Unit.deg,
        "hips_not_stacked": Unit.deg,
        "feet_apart": Unit.thigh,
        "range_too_big": Unit.deg,
        "wrong_hip_angle": Unit.deg,
        "bottom_leg_moves": Unit.deg,
        "leg_drifts_forward": Unit.deg,
        "trunk_moves": Unit.deg,
        "hip_hikes": Unit.deg,
        "thigh_rotates": Unit.deg,
        "hold_too_short": Unit.ratio,
    }
)
"""Rep-level checks the engine implements, and the unit its threshold is read in."""

SET_CHECK_UNITS: Mapping[str, Unit] = MappingProxyType(
    {
        "isolation_lost": Unit.ratio,
        "shaking": Unit.ratio,
        "view_incomplete": Unit.ratio,
    }
)
"""Set-level checks shared by every exercise (the catalogue's top-level `set_checks`)."""

KNOWN_REP_CHECKS: frozenset[str] = frozenset(REP_CHECK_UNITS)
KNOWN_SET_CHECKS: frozenset[str] = frozenset(SET_CHECK_UNITS)
KNOWN_CHECKS: frozenset[str] = KNOWN_REP_CHECKS | KNOWN_SET_CHECKS
"""Every check id the engine implements; the catalogue may name no other."""

STRENGTH_WORDS: Mapping[EvidenceStrength, str] = MappingProxyType(
    {
        "E": "supported by a study or guideline",
        "W": "weak evidence",
        "I": "our inference",
        "V": "still to be verified",
    }
)


def describe_strength(strength: EvidenceStrength) -> str:
    """Say an evidence tag (E, W, I, V) in words, e.g. "weak evidence"."""
    return STRENGTH_WORDS[strength]


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and validate a catalogue: the package's own file by default, or `path`.

    The default file is read once per process and the same (immutable) model is returned
    afterwards. Raises CatalogueError, one line naming the file and the field path, when the
    file cannot be read, is not valid YAML, or breaks a rule of the schema or of this module.
    """
    if path is None:
        return _load_default()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise CatalogueError(f"{path}: cannot read the catalogue ({reason})") from None
    return parse_catalogue(text, source=str(path))


@functools.lru_cache(maxsize=1)
def _load_default() -> Catalogue:
    text = resources.files("hipcoach.exercises").joinpath(DEFAULT_FILE).read_text("utf-8")
    return parse_catalogue(text, source=DEFAULT_FILE)


def parse_catalogue(text: str, source: str = "<catalogue>") -> Catalogue:
    """Validate catalogue YAML given as text; `source` names it in error messages.

    Raises CatalogueError (one line: `source: field.path: problem`) on any problem.
    """
    data = _parse_yaml(text, source)
    try:
        catalogue = Catalogue.model_validate(data)
    except ValidationError as exc:
        raise CatalogueError(f"{source}: {_describe_validation(exc, data)}") from None
    _check_rules(catalogue, source)
    return catalogue


def get_exercise(exercise_id: str, catalogue: Catalogue | None = None) -> Exercise:
    """The exercise with this id (from the default catalogue unless one is given).

    Raises CatalogueError listing the valid ids when there is none.
    """
    cat = load_catalogue() if catalogue is None else catalogue
    exercise = cat.get(exercise_id)
    if exercise is None:
        valid = ", ".join(e.id for e in cat.exercises)
        raise CatalogueError(f"unknown exercise {exercise_id!r}; valid ids: {valid}")
    return exercise


def resolve_variation(exercise: Exercise, variation_id: str | None) -> Variation | None:
    """The variation to use: the named one, the default when None, or None when the exercise
    has no variations.

    Raises CatalogueError when the id is unknown (listing the valid ones) or when a variation
    is asked for an exercise that has none.
    """
    if not exercise.variations:
        if variation_id is None:
            return None
        raise CatalogueError(
            f"exercise {exercise.id!r} has no variations (got {variation_id!r}); "
            "leave the variation out"
        )
    wanted = exercise.default_variation if variation_id is None else variation_id
    found = next((v for v in exercise.variations if v.id == wanted), None)
    if found is None:
        valid = ", ".join(
            f"{v.id} (default)" if v.id == exercise.default_variation else v.id
            for v in exercise.variations
        )
        raise CatalogueError(
            f"unknown variation {variation_id!r} for exercise {exercise.id!r}; valid: {valid}"
        )
    return found


# ---------------------------------------------------------------- YAML and messages


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys, which plain YAML silently overwrites."""


def _construct_mapping_once(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Hashable] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, Hashable):
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping_once
)


def _parse_yaml(text: str, source: str) -> Any:
    try:
        # A SafeLoader subclass: builds plain data only, never Python objects.
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{source}: {_describe_yaml_error(exc)}") from None
    if not isinstance(data, dict):
        got = "nothing" if data is None else type(data).__name__
        raise CatalogueError(
            f"{source}: expected a mapping with set_checks and exercises at the top, got {got}"
        )
    return data


def _describe_yaml_error(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        return _one_line(f"{where}{problem}")
    return _one_line(str(exc) or "not valid YAML")


def _describe_validation(exc: ValidationError, data: Mapping[str, Any]) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    # Whole-catalogue rules (unique ids, links) report no location: find the field.
    where = format_field_path(first["loc"]) or _locate_catalogue_problem(data)
    message = str(first["msg"]).removeprefix("Value error, ")
    text = f"{where}: {message}" if where else message
    if len(errors) > 1:
        more = len(errors) - 1
        text += f" (and {more} more problem{'s' if more > 1 else ''})"
    return _one_line(text)


def _locate_catalogue_problem(data: Mapping[str, Any]) -> str:
    """The field path of the first duplicate exercise id or unresolved link, or ""."""
    exercises = data.get("exercises")
    if not isinstance(exercises, list):
        return ""
    ids = [e.get("id") if isinstance(e, dict) else None for e in exercises]
    seen: set[Any] = set()
    for i, exercise_id in enumerate(ids):
        if exercise_id in seen:
            return f"exercises[{i}].id"
        seen.add(exercise_id)
    for i, exercise in enumerate(exercises):
        for field in ("progression", "regression"):
            link = exercise.get(field) if isinstance(exercise, dict) else None
            if link is not None and link not in ids:
                return f"exercises[{i}].{field}"
    return ""


def format_field_path(loc: Sequence[int | str]) -> str:
    """Write a pydantic error location as a field path: `exercises[2].dosage.reps_min`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _one_line(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- rules beyond the schema


def _check_rules(catalogue: Catalogue, source: str) -> None:
    """Rules that need to know what the engine implements; raise CatalogueError."""
    _check_set_checks(catalogue.set_checks, source)
    for i, exercise in enumerate(catalogue.exercises):
        where = f"exercises[{i}]"
        for j, check in enumerate(exercise.checks):
            _check_rep_check(exercise, check, f"{where}.checks[{j}]", source)
        _check_self_reports(exercise, where, source)
        _check_variations(exercise, where, source)
        _check_links(catalogue, exercise, where, source)


def _fail(source: str, where: str, problem: str) -> CatalogueError:
    return CatalogueError(_one_line(f"{source}: {where}: {problem}"))


def _check_set_checks(checks: Sequence[CheckSpec], source: str) -> None:
    for j, check in enumerate(checks):
        where = f"set_checks[{j}]"
        if check.id not in KNOWN_SET_CHECKS:
            raise _fail(
                source,
                f"{where}.id",
                f"unknown set check {check.id!r}; known: {', '.join(sorted(KNOWN_SET_CHECKS))}",
            )
        _check_threshold(check, SET_CHECK_UNITS[check.id], where, source)
    ids = [c.id for c in checks]
    if len(set(ids)) != len(ids):
        raise _fail(source, "set_checks", "set check ids must be unique")
    missing = sorted(KNOWN_SET_CHECKS - set(ids))
    if missing:
        raise _fail(source, "set_checks", f"missing set check(s): {', '.join(missing)}")


def _check_rep_check(exercise: Exercise, check: CheckSpec, where: str, source: str) -> None:
    if check.id in KNOWN_SET_CHECKS:
        raise _fail(
            source,
            f"{where}.id",
            f"exercise {exercise.id!r}: {check.id!r} is a set check; list it under set_checks",
        )
    if check.id not in KNOWN_REP_CHECKS:
        known = ", ".join(sorted(KNOWN_REP_CHECKS))
        raise _fail(
            source,
            f"{where}.id",
            f"exercise {exercise.id!r} names unknown check {check.id!r}; known: {known}",
        )
    _check_threshold(check, REP_CHECK_UNITS[check.id], where, source)
    if check.id == "wrong_hip_angle" and not exercise.variations:
        raise _fail(
            source,
            f"{where}.id",
            f"exercise {exercise.id!r}: wrong_hip_angle needs variations with hip angle ranges",
        )
    if check.id == "hold_too_short" and not exercise.dosage.hold_s:
        raise _fail(
            source,
            f"{where}.id",
            f"exercise {exercise.id!r}: hold_too_short needs dosage.hold_s",
        )


def _check_threshold(check: CheckSpec, unit: Unit, where: str, source: str) -> None:
    if check.unit != unit:
        raise _fail(
            source,
            f"{where}.unit",
            f"check {check.id!r} is measured in {unit.value}, not {check.unit.value}",
        )
    if not check.threshold > 0:
        raise _fail(source, f"{where}.threshold", f"check {check.id!r} needs a threshold above 0")


def _check_self_reports(exercise: Exercise, where: str, source: str) -> None:
    ids = [r.id for r in exercise.self_report]
    if len(set(ids)) != len(ids):
        raise _fail(source, f"{where}.self_report", "self-report ids must be unique")
    for k, report in enumerate(exercise.self_report):
        if report.kind == "choice" and len(report.choices) < 2:
            raise _fail(
                source,
                f"{where}.self_report[{k}].choices",
                f"question {report.id!r} is a choice and needs at least 2 choices",
            )
        if report.kind != "choice" and report.choices:
            raise _fail(
                source,
                f"{where}.self_report[{k}].choices",
                f"question {report.id!r} is {report.kind} and takes no choices",
            )


def _check_variations(exercise: Exercise, where: str, source: str) -> None:
    for k, variation in enumerate(exercise.variations):
        low, high = variation.hip_flexion_deg
        if low > high:
            raise _fail(
                source,
                f"{where}.variations[{k}].hip_flexion_deg",
                f"variation {variation.id!r}: the lower bound {low:g} exceeds the upper {high:g}",
            )


def _check_links(catalogue: Catalogue, exercise: Exercise, where: str, source: str) -> None:
    """Progression leads up the same track, regression down it (the schema checks the ids)."""
    for field, step in (("progression", 1), ("regression", -1)):
        target_id = getattr(exercise, field)
        target = catalogue.get(target_id) if target_id is not None else None
        if target is None:
            continue
        if target.track != exercise.track or (target.level - exercise.level) * step <= 0:
            direction = "higher" if step > 0 else "lower"
            raise _fail(
                source,
                f"{where}.{field}",
                f"exercise {exercise.id!r}: {field} {target_id!r} must be a {direction} "
                f"level of the {exercise.track} track",
            )
