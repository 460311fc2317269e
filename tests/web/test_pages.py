"""Exercise library, live page, analyse page, drawings and offline assets."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from hipcoach.config import Settings
from hipcoach.exercises.catalogue import load_catalogue
from hipcoach.web.drawings import FIGURES, render_exercise_svg
from tests.web.conftest import screen_someone

HTML = {"accept": "text/html"}
CATALOGUE_IDS = [e.id for e in load_catalogue().exercises]


@pytest.fixture
def client(make_client: Callable[..., TestClient], web_settings: Settings) -> TestClient:
    screen_someone(web_settings)
    return make_client()


def test_library_lists_every_exercise_with_a_drawing(client: TestClient) -> None:
    page = client.get("/library", headers=HTML)
    assert page.status_code == 200
    for exercise_id in CATALOGUE_IDS:
        assert f'id="ex-{exercise_id}"' in page.text
    assert page.text.count("<svg") == len(CATALOGUE_IDS)


@pytest.mark.parametrize("exercise_id", CATALOGUE_IDS)
def test_each_exercise_page_has_cues_feel_camera_and_evidence(
    client: TestClient, exercise_id: str
) -> None:
    exercise = load_catalogue().get(exercise_id)
    assert exercise is not None
    page = client.get(f"/library/{exercise_id}", headers=HTML)
    assert page.status_code == 200
    text = page.text.replace("&#39;", "'").replace("&amp;", "&").replace("&#34;", '"')
    assert exercise.setup_cues[0][:40] in text
    assert exercise.feel[:40] in text
    assert exercise.camera.instructions[:40] in text
    for check in exercise.checks:
        assert check.message[:30] in text
    assert "<svg" in page.text and "<animate" in page.text


def test_weak_evidence_is_labelled_as_weak(client: TestClient) -> None:
    page = client.get("/library/clamshell", headers=HTML)
    assert "weak evidence" in page.text


def test_unknown_exercise_pages_are_404_with_the_valid_ids(client: TestClient) -> None:
    page = client.get("/library/handstand", headers=HTML)
    assert page.status_code == 404 and "clamshell" in page.text


@pytest.mark.parametrize("exercise_id", sorted(FIGURES))
def test_drawings_are_valid_svg_that_move_the_working_leg(exercise_id: str) -> None:
    svg = render_exercise_svg(exercise_id, "title <with> & marks")
    assert svg is not None
    root = ET.fromstring(svg)
    animations = root.findall(".//{http://www.w3.org/2000/svg}animate")
    assert animations, "the drawing must move"
    assert all(a.get("repeatCount") == "indefinite" for a in animations)


def test_every_catalogue_exercise_has_a_drawing() -> None:
    assert set(CATALOGUE_IDS) <= set(FIGURES)
    assert render_exercise_svg("unknown") is None


def test_live_page_carries_the_exercise_config_and_its_questions(client: TestClient) -> None:
    page = client.get("/live?exercise=clamshell&variation=knees_tucked", headers=HTML)
    assert page.status_code == 200
    config = re.search(
        r'<script type="application/json" id="live-config">(.*?)</script>', page.text, re.S
    )
    assert config is not None
    assert '"variation": "knees_tucked"' in config.group(1)
    assert 'name="pain"' in page.text and 'name="where_felt"' in page.text
    assert 'value="target"' in page.text and 'id="speech-toggle"' in page.text
    assert 'id="isolation-dialog"' in page.text
    assert '<script src="/static/live.js">' in page.text


def test_live_page_rejects_an_unknown_variation(client: TestClient) -> None:
    page = client.get("/live?exercise=clamshell&variation=sideways", headers=HTML)
    assert page.status_code == 404 and "sideways" in page.text


def test_live_page_without_an_exercise_offers_a_choice(client: TestClient) -> None:
    page = client.get("/live", headers=HTML)
    assert page.status_code == 200 and 'id="exercise-choice"' in page.text


def test_live_coaching_waits_for_the_safety_questions(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client()
    page = client.get("/live?exercise=clamshell", headers=HTML, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/start"


def test_live_coaching_is_paused_by_a_red_flag(
    make_client: Callable[..., TestClient], web_settings: Settings
) -> None:
    screen_someone(web_settings, flagged=("weight_loss",))
    page = make_client().get("/live?exercise=clamshell", headers=HTML)
    assert "see a doctor" in page.text.lower() and 'id="live-config"' not in page.text


def test_analyse_page_states_the_limit_and_the_privacy_rule(client: TestClient) -> None:
    page = client.get("/analyse", headers=HTML)
    assert "5 MB" in page.text and "keep my videos" in page.text.lower()


def test_pages_load_no_script_or_style_from_another_site(client: TestClient) -> None:
    for path in ("/library", "/live?exercise=heel_slide", "/analyse", "/login"):
        text = client.get(path, headers=HTML).text
        for url in re.findall(r'(?:src|href)="([^"]+)"', text):
            assert not url.startswith(("http:", "https:", "//")), f"{path} loads {url}"


@pytest.mark.parametrize(
    "asset", ["app.css", "live.js", "skeleton.js", "analyse.js", "progress.js", "icon.svg"]
)
def test_static_assets_are_served_from_the_package(client: TestClient, asset: str) -> None:
    response = client.get(f"/static/{asset}")
    assert response.status_code == 200 and len(response.content) > 100


def test_exercise_api_lists_the_catalogue(client: TestClient) -> None:
    data = client.get("/api/exercises").json()
    assert [e["id"] for e in data] == CATALOGUE_IDS
    clam = next(e for e in data if e["id"] == "clamshell")
    assert {v["id"] for v in clam["variations"]} == {"standard", "knees_tucked", "hips_extended"}
