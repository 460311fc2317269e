"""Server state shared by `hipcoach serve`'s worker processes: workers' heartbeats, live
socket claims, finished live sets awaiting save, analysis jobs, login failures and logins.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "server_workers",
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("beat_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_server_workers")),
    )
    locks = op.create_table(
        "server_locks",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_server_locks")),
    )
    op.bulk_insert(locks, [{"name": "live_sockets", "n": 0}])
    op.create_table(
        "live_socket_claims",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("worker", sa.String(length=32), nullable=False),
        sa.Column("camera", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_socket_claims")),
    )
    op.create_index(
        op.f("ix_live_socket_claims_worker"), "live_socket_claims", ["worker"], unique=False
    )
    op.create_table(
        "pending_live_sets",
        sa.Column("set_id", sa.String(length=32), nullable=False),
        sa.Column("exercise", sa.String(length=64), nullable=False),
        sa.Column("variation", sa.String(length=64), nullable=True),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("interrupted", sa.Boolean(), nullable=False),
        sa.Column("ended_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("set_id", name=op.f("pk_pending_live_sets")),
    )
    op.create_index(
        op.f("ix_pending_live_sets_ended_at"), "pending_live_sets", ["ended_at"], unique=False
    )
    op.create_table(
        "analysis_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("worker", sa.String(length=32), nullable=False),
        sa.Column("exercise", sa.String(length=64), nullable=False),
        sa.Column("variation", sa.String(length=64), nullable=True),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("keep_video", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_jobs")),
    )
    op.create_index(
        op.f("ix_analysis_jobs_created_at"), "analysis_jobs", ["created_at"], unique=False
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(op.f("ix_login_failures_client"), "login_failures", ["client"], unique=False)
    op.create_table(
        "server_logins",
        sa.Column("session_id", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_server_logins")),
    )


def downgrade() -> None:
    op.drop_table("server_logins")
    op.drop_index(op.f("ix_login_failures_client"), table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index(op.f("ix_analysis_jobs_created_at"), table_name="analysis_jobs")
    op.drop_table("analysis_jobs")
    op.drop_index(op.f("ix_pending_live_sets_ended_at"), table_name="pending_live_sets")
    op.drop_table("pending_live_sets")
    op.drop_index(op.f("ix_live_socket_claims_worker"), table_name="live_socket_claims")
    op.drop_table("live_socket_claims")
    op.drop_table("server_locks")
    op.drop_table("server_workers")
