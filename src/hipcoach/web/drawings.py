"""Simple animated stick-figure drawings of each exercise, as inline SVG.

Each exercise has two key poses, start and end; the SVG moves the figure from one to the
other and back every few seconds (SMIL `<animate>`, no script). Coordinates are SVG units
in a 400 x 250 box, y pointing down. The drawings show the movement's shape only; the
written cues are what matter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

Point = tuple[float, float]
BONES: tuple[tuple[str, str], ...] = (
    ("shoulder", "hip"),
    ("shoulder", "elbow"),
    ("elbow", "hand"),
    ("hip", "knee2"),
    ("knee2", "ankle2"),
    ("ankle2", "toe2"),
    ("hip", "knee"),
    ("knee", "ankle"),
    ("ankle", "toe"),
)
MOVING_BONES = frozenset({("hip", "knee"), ("knee", "ankle"), ("ankle", "toe")})


def point_along(start: Point, direction_deg: float, length: float) -> Point:
    """The point `length` away from `start` in a screen direction (0 right, 90 down)."""
    rad = math.radians(direction_deg)
    return (
        round(start[0] + length * math.cos(rad), 1),
        round(start[1] + length * math.sin(rad), 1),
    )


def leg_from_angles(
    hip: Point, thigh_deg: float, shin_deg: float, foot_deg: float
) -> dict[str, Point]:
    """Knee, ankle and toe from segment directions (thigh 80, shin 75, foot 16 units)."""
    knee = point_along(hip, thigh_deg, 80)
    ankle = point_along(knee, shin_deg, 75)
    return {"knee": knee, "ankle": ankle, "toe": point_along(ankle, foot_deg, 16)}


@dataclass(frozen=True)
class Figure:
    """A drawing: fixed joints, the moving leg's two key poses, and props (SVG snippets)."""

    fixed: dict[str, Point]
    start: dict[str, Point]
    end: dict[str, Point]
    props: tuple[str, ...] = ()
    caption: str = ""
    head_r: float = 13.0
    period_s: float = 4.0
    extra: dict[str, str] = field(default_factory=dict)


FLOOR = '<line x1="10" y1="{y}" x2="390" y2="{y}" class="floor"/>'


def _supine(other_knee: Point = (270, 200), other_ankle: Point = (348, 200)) -> dict[str, Point]:
    return {
        "head": (48, 192),
        "shoulder": (78, 200),
        "hip": (190, 200),
        "elbow": (122, 204),
        "hand": (162, 206),
        "knee2": other_knee,
        "ankle2": other_ankle,
        "toe2": (other_ankle[0] + 6, other_ankle[1] - 14),
    }


def _side_lying() -> dict[str, Point]:
    return {
        "head": (42, 168),
        "shoulder": (74, 180),
        "hip": (190, 184),
        "elbow": (60, 150),
        "hand": (40, 160),
    }


def _figures() -> dict[str, Figure]:
    supine_floor = FLOOR.format(y=213)
    clam_fixed = _side_lying() | {"knee2": (247, 222), "ankle2": (186, 228), "toe2": (172, 230)}
    lift_fixed = _side_lying() | {"knee2": (270, 190), "ankle2": (345, 194), "toe2": (360, 196)}
    return {
        "clamshell": Figure(
            fixed=clam_fixed,
            start={"knee": (247, 214), "ankle": (188, 220), "toe": (174, 222)},
            end={"knee": (236, 172), "ankle": (188, 220), "toe": (174, 222)},
            props=(FLOOR.format(y=238),),
            caption="On your side, feet together: only the top knee opens, a little.",
        ),
        "side_lying_leg_lift": Figure(
            fixed=lift_fixed,
            start={"knee": (270, 180), "ankle": (345, 184), "toe": (360, 186)},
            end=leg_from_angles((190, 184), -28, -28, -20),
            props=(FLOOR.format(y=206),),
            caption="On your side: lift the straight top leg, hips stacked.",
        ),
        "foot_slide_elevated": Figure(
            fixed=_supine(),
            start={"knee": (272, 182), "ankle": (348, 160), "toe": (354, 146)},
            end={"knee": (248, 128), "ankle": (306, 160), "toe": (312, 146)},
            props=(supine_floor, '<rect x="290" y="162" width="90" height="51" class="prop"/>'),
            caption="On your back, foot on a low box: slide the foot towards you and back.",
        ),
        "heel_slide": Figure(
            fixed=_supine(),
            start={"knee": (270, 198), "ankle": (345, 200), "toe": (351, 186)},
            end=leg_from_angles((190, 200), -52, 50, -70),
            props=(supine_floor,),
            caption="On your back: slide the heel towards you along the floor, then back.",
        ),
        "supine_knee_lift": Figure(
            fixed=_supine((240, 146), (290, 200)),
            start=leg_from_angles((190, 200), -42, 46, -70),
            end=leg_from_angles((190, 200), -98, 0, -80),
            props=(supine_floor,),
            caption="On your back: lift the bent knee just past 90 degrees and hold.",
        ),
        "seated_knee_lift": Figure(
            fixed={
                "head": (160, 38),
                "shoulder": (160, 62),
                "hip": (160, 150),
                "elbow": (170, 104),
                "hand": (205, 140),
                "knee2": (240, 152),
                "ankle2": (240, 226),
                "toe2": (256, 226),
            },
            start=leg_from_angles((160, 150), 0, 90, 0),
            end=leg_from_angles((160, 150), -16, 80, 0),
            props=(
                FLOOR.format(y=228),
                '<rect x="120" y="154" width="100" height="12" class="prop"/>',
                '<line x1="130" y1="166" x2="130" y2="228" class="prop-line"/>',
                '<line x1="210" y1="166" x2="210" y2="228" class="prop-line"/>',
            ),
            caption="Sitting tall: lift the knee a few centimetres and hold.",
        ),
        "standing_knee_lift": Figure(
            fixed={
                "head": (200, 22),
                "shoulder": (200, 46),
                "hip": (200, 130),
                "elbow": (190, 88),
                "hand": (186, 128),
                "knee2": (200, 180),
                "ankle2": (200, 228),
                "toe2": (216, 228),
            },
            start=leg_from_angles((200, 130), 88, 90, 0),
            end=leg_from_angles((200, 130), -4, 90, 0),
            props=(FLOOR.format(y=230),),
            caption="Standing tall: lift the knee to hip height or above and hold.",
        ),
        "leg_lower": Figure(
            fixed=_supine((240, 146), (290, 200)),
            start=leg_from_angles((190, 200), -90, -90, 0),
            end=leg_from_angles((190, 200), -28, -28, -100),
            props=(supine_floor,),
            caption="On your back: lower the straight leg slowly, pelvis still, and raise it.",
        ),
    }


FIGURES: dict[str, Figure] = _figures()


def _animate(attr: str, a: float, b: float, period: float) -> str:
    return (
        f'<animate attributeName="{attr}" values="{a};{b};{b};{a};{a}" '
        f'keyTimes="0;0.4;0.55;0.95;1" dur="{period}s" repeatCount="indefinite"/>'
    )


def _bone(figure: Figure, a: str, b: str) -> str:
    joints_start = figure.fixed | figure.start
    joints_end = figure.fixed | figure.end
    (x1, y1), (x2, y2) = joints_start[a], joints_start[b]
    cls = "bone moving" if (a, b) in MOVING_BONES else "bone"
    moves = [
        _animate(attr, s, e, figure.period_s)
        for attr, s, e in (
            ("x1", x1, joints_end[a][0]),
            ("y1", y1, joints_end[a][1]),
            ("x2", x2, joints_end[b][0]),
            ("y2", y2, joints_end[b][1]),
        )
        if s != e
    ]
    return f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" class="{cls}">{"".join(moves)}</line>'


def render_exercise_svg(exercise_id: str, title: str = "") -> str | None:
    """An animated SVG of the exercise, or None when there is no drawing for it."""
    figure = FIGURES.get(exercise_id)
    if figure is None:
        return None
    hx, hy = figure.fixed["head"]
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 250" class="drawing" '
        f'role="img" aria-label="{escape(title or figure.caption)}">',
        *figure.props,
        f'<circle cx="{hx}" cy="{hy}" r="{figure.head_r}" class="head"/>',
        *(_bone(figure, a, b) for a, b in BONES),
        "</svg>",
    ]
    return "".join(parts)


def describe_drawing(exercise_id: str) -> str:
    figure = FIGURES.get(exercise_id)
    return figure.caption if figure else ""
