"""Where the real footage lives (beside the repository, never copied into it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL_DIR = REPO.parent / "shared" / "data" / "real"
RENDERED_DIR = REPO.parent / "shared" / "data" / "rendered"
# A few more rendered clips this project made with ../shared/render (small, per-frame
# joints dropped from their truth): README in that folder.
OWN_RENDERED_DIR = REPO / "tests" / "fixtures" / "rendered"


def require_real(name: str, folder: Path = REAL_DIR) -> Path:
    """Path of a shared clip; skipped locally when shared/ is absent, an error in CI."""
    path = folder / name
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared footage {path} is missing in CI")
        pytest.skip(f"shared footage {path} not available")
    return path


def real_csv(real_landmarks: dict[str, Path], stem: str) -> Path:
    """The session's landmark CSV for a real clip (see the `real_landmarks` fixture)."""
    require_real(stem + ".mp4")
    return real_landmarks[stem]
