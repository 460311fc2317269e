"""Initial schema: people, safety screens, clearances, measures, track states, decisions,
sessions, sets and morning checks.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("baseline_pain", sa.Integer(), nullable=True),
        sa.Column("psfs_activities", sa.JSON(), nullable=False),
        sa.Column("onboarded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("name", name=op.f("uq_people_name")),
    )
    op.create_table(
        "clearances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_clearances_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clearances")),
    )
    with op.batch_alter_table("clearances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clearances_person_id"), ["person_id"], unique=False)

    op.create_table(
        "morning_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("about_date", sa.Date(), nullable=False),
        sa.Column("pain", sa.Integer(), nullable=False),
        sa.Column("leg_symptoms", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_morning_checks_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_morning_checks")),
        sa.UniqueConstraint(
            "person_id", "about_date", name=op.f("uq_morning_checks_person_id_about_date")
        ),
    )
    with op.batch_alter_table("morning_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_morning_checks_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "screens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("flagged", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_screens_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screens")),
    )
    with op.batch_alter_table("screens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screens_person_id"), ["person_id"], unique=False)

    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pre_pain", sa.Integer(), nullable=True),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_sessions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sessions_performed_on"), ["performed_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sessions_person_id"), ["person_id"], unique=False)

    op.create_table(
        "track_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("variation", sa.String(length=64), nullable=True),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.Column("sets", sa.Integer(), nullable=False),
        sa.Column("hold_s", sa.Float(), nullable=True),
        sa.Column("updated_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("since_session_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_track_states_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_track_states")),
        sa.UniqueConstraint("person_id", "track", name=op.f("uq_track_states_person_id_track")),
    )
    with op.batch_alter_table("track_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_track_states_person_id"), ["person_id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(length=32), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("basis_session_id", sa.Integer(), nullable=True),
        sa.Column("basis_complete", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["basis_session_id"],
            ["sessions.id"],
            name=op.f("fk_decisions_basis_session_id_sessions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_decisions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_person_id"), ["person_id"], unique=False)

    op.create_table(
        "measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("instrument", sa.String(length=16), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("context", sa.String(length=24), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_measures_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_measures_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measures")),
    )
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measures_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_measures_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_measures_taken_on"), ["taken_on"], unique=False)

    op.create_table(
        "sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(length=32), nullable=False),
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("variation", sa.String(length=64), nullable=True),
        sa.Column("set_index", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("target_reps", sa.Integer(), nullable=False),
        sa.Column("actual_reps", sa.Integer(), nullable=False),
        sa.Column("target_hold_s", sa.Float(), nullable=True),
        sa.Column("hold_s", sa.Float(), nullable=True),
        sa.Column("reps", sa.JSON(), nullable=False),
        sa.Column("set_cues", sa.JSON(), nullable=False),
        sa.Column("flagged_reps", sa.Integer(), nullable=True),
        sa.Column("mean_range_deg", sa.Float(), nullable=True),
        sa.Column("pain", sa.Integer(), nullable=False),
        sa.Column("felt", sa.String(length=24), nullable=False),
        sa.Column("leg_symptoms", sa.Boolean(), nullable=False),
        sa.Column("ended_early", sa.Boolean(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_sets_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sets")),
    )
    with op.batch_alter_table("sets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sets_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sets_session_id"))

    op.drop_table("sets")
    with op.batch_alter_table("measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measures_taken_on"))
        batch_op.drop_index(batch_op.f("ix_measures_session_id"))
        batch_op.drop_index(batch_op.f("ix_measures_person_id"))

    op.drop_table("measures")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_person_id"))

    op.drop_table("decisions")
    with op.batch_alter_table("track_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_track_states_person_id"))

    op.drop_table("track_states")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_person_id"))
        batch_op.drop_index(batch_op.f("ix_sessions_performed_on"))

    op.drop_table("sessions")
    with op.batch_alter_table("screens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screens_person_id"))

    op.drop_table("screens")
    with op.batch_alter_table("morning_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_morning_checks_person_id"))

    op.drop_table("morning_checks")
    with op.batch_alter_table("clearances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clearances_person_id"))

    op.drop_table("clearances")
    op.drop_table("people")
