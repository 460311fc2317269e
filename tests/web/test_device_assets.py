"""The browser's pose model: pinned, checksummed, installed whole and served by the app.

`make` runs `npm ci` in web-assets/ and copies @mediapipe/pose into the git-ignored static
folder; these tests check what arrived there and that the page's landmark names are the
protocol's.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hipcoach.pose.landmarks import LANDMARK_NAMES
from tests.realdata import REPO

STATIC = REPO / "src" / "hipcoach" / "web" / "static"
VENDOR = STATIC / "vendor" / "mediapipe-pose"
LOCK = REPO / "web-assets" / "package-lock.json"
PACKAGE = "node_modules/@mediapipe/pose"


def vendor_file(name: str) -> Path:
    path = VENDOR / name
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing in CI: `make` should have installed it")
        pytest.skip(f"{path} not installed (run `make test`)")
    return path


def test_the_package_is_pinned_to_one_version_with_a_sha512_checksum() -> None:
    wanted = json.loads((REPO / "web-assets" / "package.json").read_text())["dependencies"]
    version = wanted["@mediapipe/pose"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "an exact version, no range"
    locked = json.loads(LOCK.read_text())["packages"][PACKAGE]
    assert locked["version"] == version
    assert locked["integrity"].startswith("sha512-") and len(locked["integrity"]) > 80
    assert locked["license"] == "Apache-2.0"


def test_the_installed_files_are_the_runtime_and_models_of_that_version() -> None:
    version = json.loads(LOCK.read_text())["packages"][PACKAGE]["version"]
    meta = json.loads(vendor_file("package.json").read_text())
    assert meta["name"] == "@mediapipe/pose" and meta["version"] == version
    assert meta["license"] == "Apache-2.0"
    assert f'"VERSION","{version}"' in vendor_file("pose.js").read_text()
    for wasm in ("pose_solution_simd_wasm_bin.wasm", "pose_solution_wasm_bin.wasm"):
        assert vendor_file(wasm).read_bytes()[:4] == b"\0asm"
    for model in ("pose_landmark_lite.tflite", "pose_landmark_full.tflite"):
        data = vendor_file(model).read_bytes()
        assert data[4:8] == b"TFL3" and len(data) > 1_000_000
    assert b"PoseLandmarkGpu" in vendor_file("pose_web.binarypb").read_bytes()
    assert (
        "createMediapipeSolutionsPackedAssets"
        in vendor_file("pose_solution_packed_assets_loader.js").read_text()
    )


def test_the_app_serves_the_model_from_its_own_static_route(
    make_client: Callable[..., TestClient],
) -> None:
    vendor_file("pose.js")
    client = make_client()
    wasm = client.get("/static/vendor/mediapipe-pose/pose_solution_simd_wasm_bin.wasm")
    assert wasm.status_code == 200 and wasm.headers["content-type"] == "application/wasm"
    model = client.get("/static/vendor/mediapipe-pose/pose_landmark_full.tflite")
    assert model.status_code == 200 and model.content[4:8] == b"TFL3"
    assert client.get("/static/vendor/mediapipe-pose/pose_landmark_heavy.tflite").status_code == 404


def test_the_page_names_the_landmarks_in_the_protocols_order() -> None:
    source = (STATIC / "device_pose.js").read_text()
    block = re.search(r"const NAMES = \[(.*?)\];", source, re.S)
    assert block, "device_pose.js lists the landmark names in `const NAMES = [...]`"
    assert tuple(re.findall(r'"([a-z_]+)"', block.group(1))) == LANDMARK_NAMES


def test_the_device_pose_code_loads_nothing_from_another_origin() -> None:
    source = (STATIC / "device_pose.js").read_text()
    assert 'const BASE = "/static/vendor/mediapipe-pose/";' in source
    for name in ("device_pose.js", "live_device.js"):
        assert not re.search(r"https?://|//cdn", (STATIC / name).read_text()), name
