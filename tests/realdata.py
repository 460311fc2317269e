"""Where the real footage lives (beside the repository, never copied into it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL_DIR = REPO.parent / "shared" / "data" / "real"


def require_real(name: str) -> Path:
    """Path of a real clip; skipped locally when shared/ is absent, an error in CI."""
    path = REAL_DIR / name
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"real footage {path} is missing in CI")
        pytest.skip(f"real footage {path} not available")
    return path


def real_csv(real_landmarks: dict[str, Path], stem: str) -> Path:
    """The session's landmark CSV for a real clip (see the `real_landmarks` fixture)."""
    require_real(stem + ".mp4")
    return real_landmarks[stem]
