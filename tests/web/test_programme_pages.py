"""First run, Today, saving a live set and the record pages, through the web app."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from hipcoach.config import Settings
from hipcoach.pose.landmarks import PoseSeries
from hipcoach.programme.history import list_sessions
from hipcoach.programme.people import list_people
from hipcoach.programme.safety import RED_FLAG_IDS
from hipcoach.store.database import open_database
from hipcoach.web.protocol import format_landmark_message
from hipcoach.web.services import WebServices
from tests.web.conftest import WS_URL, csrf_token, wait_for

HTML = {"accept": "text/html"}
DAY = dt.date(2025, 3, 3)


def _screen_form(token: str, yes: tuple[str, ...] = ()) -> dict[str, str]:
    form = {f"flag_{f}": "yes" if f in yes else "no" for f in RED_FLAG_IDS}
    return form | {"csrf_token": token}


def _onboarding_form(token: str) -> dict[str, str | list[str]]:
    return {
        "csrf_token": token,
        "goal": ["back_pain", "hip_stability"],
        "baseline_pain": "3",
        "psfs_activity_1": "putting on socks",
        "psfs_rating_1": "4",
        "psfs_activity_2": "sitting through a film",
        "psfs_rating_2": "5",
        "psfs_activity_3": "getting out of a car",
        "psfs_rating_3": "6",
        "step_psoas": "auto",
        "step_clamshell": "auto",
        "step_side_lying_leg_lift": "auto",
    }


@pytest.fixture
def services() -> WebServices:
    return WebServices(today=lambda: DAY)


@pytest.fixture
def client(make_client: Callable[..., TestClient], services: WebServices) -> TestClient:
    return make_client(services=services)


def _first_run(client: TestClient, yes: tuple[str, ...] = ()) -> None:
    token = csrf_token(client, "/start")
    form = _screen_form(token, yes) | {"name": "Ana"}
    response = client.post("/start", data=form, headers=HTML, follow_redirects=False)
    assert response.status_code in (200, 303), response.text


def test_a_new_person_is_sent_to_the_safety_questions_first(client: TestClient) -> None:
    response = client.get("/", headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/start"
    page = client.get("/start", headers=HTML)
    assert page.status_code == 200
    assert page.text.count('type="radio" name="flag_') == 2 * len(RED_FLAG_IDS)


def test_unanswered_safety_questions_are_asked_again(client: TestClient) -> None:
    token = csrf_token(client, "/start")
    form = _screen_form(token)
    del form["flag_bladder"]
    response = client.post("/start", data=form, headers=HTML)
    assert response.status_code == 422
    assert "Please answer yes or no." in response.text


def test_first_run_to_today_plan(client: TestClient, web_settings: Settings) -> None:
    _first_run(client)
    response = client.get("/", headers=HTML, follow_redirects=False)
    assert response.headers["location"] == "/onboarding"
    token = csrf_token(client, "/onboarding")
    done = client.post("/onboarding", data=_onboarding_form(token), headers=HTML)
    assert done.status_code == 200
    assert "The plan" in done.text
    assert "/live?exercise=foot_slide_elevated" in done.text
    assert "/live?exercise=clamshell&variation=standard" in done.text
    db = open_database(web_settings.resolved_database_url())
    people = list_people(db)
    assert [p.name for p in people] == ["Ana"] and people[0].onboarded
    assert people[0].psfs_activities == (
        "putting on socks",
        "sitting through a film",
        "getting out of a car",
    )


def test_onboarding_errors_name_the_allowed_range(client: TestClient) -> None:
    _first_run(client)
    token = csrf_token(client, "/onboarding")
    form = _onboarding_form(token) | {"psfs_rating_2": "12"}
    response = client.post("/onboarding", data=form, headers=HTML)
    assert response.status_code == 422
    assert "0 to 10" in response.text


def test_emergency_answers_stop_everything(client: TestClient) -> None:
    _first_run(client, yes=("saddle_numbness",))
    page = client.get("/", headers=HTML)
    assert "emergency care now" in page.text.lower()
    assert "/clearance" not in page.text, "an emergency is never waived by a click"
    live = client.get("/live?exercise=clamshell", headers=HTML)
    assert "emergency care" in live.text.lower() and 'id="live-config"' not in live.text


def test_see_doctor_blocks_until_cleared(client: TestClient) -> None:
    _first_run(client, yes=("fever",))
    page = client.get("/", headers=HTML)
    assert "see a doctor" in page.text.lower()
    token = csrf_token(client, "/library")
    client.post("/clearance", data={"csrf_token": token}, headers=HTML)
    after = client.get("/", headers=HTML, follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"] == "/onboarding"


def _onboard(client: TestClient) -> None:
    _first_run(client)
    client.post("/onboarding", data=_onboarding_form(csrf_token(client, "/onboarding")))


def _live_set(client: TestClient, series: PoseSeries, end: bool = True) -> str:
    with client.websocket_connect(WS_URL) as ws:
        ws.send_json({"type": "start", "exercise": "side_lying_leg_lift", "mode": "landmarks"})
        set_id = ws.receive_json()["set_id"]
        for frame in series.frames():
            ws.send_text(json.dumps(format_landmark_message(frame, frame.t)))
            ws.receive_json()
        if end:
            ws.send_json({"type": "end"})
            assert ws.receive_json()["type"] == "set_end"
    return str(set_id)


def test_a_live_set_is_saved_into_todays_session(
    client: TestClient,
    services: WebServices,
    web_settings: Settings,
    leg_lift_series: PoseSeries,
) -> None:
    _onboard(client)
    token = csrf_token(client)
    started = client.post("/session/start", data={"csrf_token": token, "pre_pain": "2"})
    assert started.status_code == 200
    set_id = _live_set(client, leg_lift_series)
    body = {"set_id": set_id, "pain": 2, "where_felt": "target", "plan": "side_lying_leg_lift"}
    saved = client.post("/api/sets", json=body, headers={"x-csrf-token": token})
    assert saved.status_code == 200, saved.text
    reply = saved.json()
    assert reply["set"]["actual_reps"] == 1 and reply["set"]["source"] == "web"
    assert reply["set"]["set_index"] == 1 and "Saved" in reply["message"]
    db = open_database(web_settings.resolved_database_url())
    sessions = list_sessions(db, list_people(db)[0].id)
    assert len(sessions) == 1 and sessions[0].pre_pain == 2
    assert [(s.exercise_id, s.actual_reps, s.felt) for s in sessions[0].sets] == [
        ("side_lying_leg_lift", 1, "target")
    ]
    assert services.finished_sets.get(set_id) is None, "a saved set is not kept twice"
    again = client.post("/api/sets", json=body, headers={"x-csrf-token": token})
    assert again.status_code == 409
    history = client.get("/history", headers=HTML)
    assert "Side-lying leg lift" in history.text and "1 of 10" in history.text
    assert "side_lying" not in history.text.split("<tbody>")[2]


def test_an_interrupted_set_is_saved_as_ended_early(
    client: TestClient,
    services: WebServices,
    web_settings: Settings,
    leg_lift_series: PoseSeries,
) -> None:
    _onboard(client)
    set_id = _live_set(client, leg_lift_series, end=False)
    wait_for(lambda: services.finished_sets.get(set_id))
    token = csrf_token(client)
    body = {"set_id": set_id, "pain": 6, "where_felt": "outer_hip", "leg_symptoms": True}
    reply = client.post("/api/sets", json=body, headers={"x-csrf-token": token}).json()
    assert reply["set"]["ended_early"] is True and reply["set"]["actual_reps"] == 1
    assert reply["next"] == "/screen?reason=leg_symptoms"
    assert "stop for today" in reply["message"]
    db = open_database(web_settings.resolved_database_url())
    sessions = list_sessions(db, list_people(db)[0].id)
    assert [s.status for s in sessions] == ["interrupted"], "leg symptoms end the session"


def test_saving_needs_a_person_and_a_valid_answer(
    client: TestClient, services: WebServices, leg_lift_series: PoseSeries
) -> None:
    set_id = _live_set(client, leg_lift_series)
    token = csrf_token(client)
    nobody = client.post(
        "/api/sets",
        json={"set_id": set_id, "pain": 1, "where_felt": "target"},
        headers={"x-csrf-token": token},
    )
    assert nobody.status_code == 409 and "first-run" in nobody.json()["detail"]
    _onboard(client)
    wrong = client.post(
        "/api/sets",
        json={"set_id": set_id, "pain": 11, "where_felt": "target"},
        headers={"x-csrf-token": token},
    )
    assert wrong.status_code == 422
    bad_felt = client.post(
        "/api/sets",
        json={"set_id": set_id, "pain": 1, "where_felt": "knee"},
        headers={"x-csrf-token": token},
    )
    assert bad_felt.status_code == 409 and "target" in bad_felt.json()["detail"]
    no_csrf = client.post("/api/sets", json={"set_id": set_id, "pain": 1, "where_felt": "target"})
    assert no_csrf.status_code == 403


def test_progress_page_embeds_four_charts_and_local_plotly(client: TestClient) -> None:
    _onboard(client)
    page = client.get("/progress", headers=HTML)
    assert page.status_code == 200
    assert page.text.count('class="chart"') == 4
    assert 'src="/vendor/plotly.min.js"' in page.text and "cdn" not in page.text.lower()
    plotly = client.get("/vendor/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000


def test_morning_check_then_next_day_reviews_the_plan(
    make_client: Callable[..., TestClient], web_settings: Settings, leg_lift_series: PoseSeries
) -> None:
    day_box = {"today": DAY}
    services = WebServices(today=lambda: day_box["today"])
    client = make_client(services=services)
    _onboard(client)
    token = csrf_token(client)
    client.post("/session/start", data={"csrf_token": token})
    set_id = _live_set(client, leg_lift_series)
    client.post(
        "/api/sets",
        json={"set_id": set_id, "pain": 1, "where_felt": "target"},
        headers={"x-csrf-token": token},
    )
    day_box["today"] = DAY + dt.timedelta(days=1)
    page = client.get("/", headers=HTML)
    assert 'id="morning-form"' in page.text and DAY.isoformat() in page.text
    assert 'id="start-session-form"' not in page.text, "the morning answer comes first"
    client.post(
        "/morning",
        data={"csrf_token": token, "about": DAY.isoformat(), "pain": "2", "leg_symptoms": "no"},
    )
    page = client.get("/", headers=HTML)
    assert 'id="morning-form"' not in page.text
    assert 'id="start-session-form"' in page.text


def test_a_live_set_with_no_reps_seen_is_typed_in_not_saved_as_zero_done(
    client: TestClient, web_settings: Settings, leg_lift_series: PoseSeries
) -> None:
    _onboard(client)
    still = PoseSeries.from_frames([leg_lift_series.frame(0)] * 30, [i / 30 for i in range(30)])
    set_id = _live_set(client, still)
    token = csrf_token(client)
    body = {"set_id": set_id, "pain": 1, "where_felt": "target"}
    refused = client.post("/api/sets", json=body, headers={"x-csrf-token": token})
    assert refused.status_code == 409
    assert "the camera saw no reps: type the reps you did" in refused.json()["detail"]
    saved = client.post(
        "/api/sets", json=body | {"typed_reps": 9}, headers={"x-csrf-token": token}
    ).json()["set"]
    assert (saved["source"], saved["actual_reps"], saved["flagged_reps"]) == ("typed", 9, None)
    db = open_database(web_settings.resolved_database_url())
    [session] = list_sessions(db, list_people(db)[0].id)
    db.close()
    assert [(s.source, s.actual_reps) for s in session.sets] == [("typed", 9)]
