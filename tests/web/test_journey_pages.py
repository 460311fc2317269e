"""The web pages speak one vocabulary, explain the plan, share the day's session with the
terminal, and keep several people apart (issue 10)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from html import unescape

import pytest
from fastapi.testclient import TestClient

from hipcoach.config import Settings
from hipcoach.programme import history, people, planner, sessions
from hipcoach.programme.models import SetInput
from hipcoach.programme.safety import RED_FLAG_IDS
from hipcoach.store.database import open_database
from hipcoach.web.services import WebServices
from tests.web.conftest import csrf_token

HTML = {"accept": "text/html"}
DAY = dt.date(2025, 3, 3)


def screen_form(token: str, yes: tuple[str, ...] = ()) -> dict[str, str]:
    return {f"flag_{f}": "yes" if f in yes else "no" for f in RED_FLAG_IDS} | {"csrf_token": token}


def onboarding_form(token: str, goals: list[str]) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {"csrf_token": token, "goal": goals, "baseline_pain": "3"}
    for n, activity in enumerate(("socks", "sitting", "stairs"), start=1):
        form |= {f"psfs_activity_{n}": activity, f"psfs_rating_{n}": "5"}
    return form | {f"step_{t}": "auto" for t in ("psoas", "clamshell", "side_lying_leg_lift")}


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(services=WebServices(today=lambda: DAY))


def first_run(client: TestClient, name: str, goals: list[str], path: str = "/start") -> None:
    token = csrf_token(client, path)
    form = screen_form(token) | {"name": name}
    if path == "/people/new":
        form["new_person"] = "yes"
    assert client.post("/start", data=form, headers=HTML).status_code == 200
    token = csrf_token(client, "/onboarding")
    assert client.post("/onboarding", data=onboarding_form(token, goals)).status_code == 200


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_today_explains_each_exercise_in_the_plans_words(client: TestClient) -> None:
    first_run(client, "Ana", ["back_pain", "hip_stability"])
    today = text_of(client.get("/", headers=HTML).text)
    assert "Psoas ladder · Level 1 of 6: Foot slide on a raised surface" in today
    assert "Clamshell · Level 1 of 3: Clamshell: Standard" in today
    assert "The Psoas ladder serves your goal: a calmer lower back." in today
    assert "not the front of the thigh" in today  # the gate it works towards
    assert "The gentlest dose of this level (10-20 reps, 1-3 sets)" in today
    assert "shaky, crampy fatigue" in today  # the catalogue's dose note on the card
    assert "Starting point you chose" not in today and "you chose" not in today.lower()
    # The live page's target is the plan's dose, not the catalogue's range.
    live = text_of(
        client.get("/live?exercise=clamshell&variation=standard&plan=clamshell", headers=HTML).text
    )
    assert "/ 10" in live and "10-20" not in live.split("Today:")[1].split(".")[0]
    assert "Today: 1 x 10 reps" in live and "From today's plan." in live
    library = text_of(client.get("/library", headers=HTML).text)
    assert "Psoas ladder, level 1 of 6" in library and "Clamshell, levels 1-3 of 3" in library
    assert "Level 0" not in library and "foot_end" not in library


def test_a_session_begun_in_the_terminal_is_continued_on_the_web(
    client: TestClient, web_settings: Settings
) -> None:
    first_run(client, "Ana", ["back_pain"])
    db = open_database(web_settings.resolved_database_url())
    person = people.require_person(db)
    # The terminal's order: plan, start, one typed set, finish.
    plan = planner.today_plan(db, person.id, DAY)
    terminal = sessions.start_session(db, person.id, DAY, 2, plan)
    rx = plan.items[0].prescription
    item = SetInput(
        track="psoas",
        exercise_id=rx.exercise_id,
        set_index=1,
        source="typed",
        target_reps=rx.reps,
        actual_reps=rx.reps,
        pain=1,
        felt="front_of_thigh",
    )
    sessions.save_set(db, terminal.id, item)
    sessions.finish_session(db, terminal.id, "completed")
    today = text_of(client.get("/", headers=HTML).text)
    assert "Today's session: completed" in today and "1 set(s) saved today" in today
    assert "Sets done today: 1 of 1" in today
    token = csrf_token(client)
    assert client.post("/session/start", data={"csrf_token": token}).status_code == 200
    found = history.list_sessions(db, person.id)
    db.close()
    assert [(s.id, s.status, len(s.sets)) for s in found] == [(terminal.id, "in_progress", 1)]
    page = client.get("/history", headers=HTML).text
    assert 'data-status="in_progress"' in page
    words = text_of(page)
    assert "in progress" in words and "the front of the thigh" in words
    assert "Foot slide on a raised surface" in words and "typed in" in words
    assert "front_of_thigh" not in words and "foot_slide_elevated" not in words


def test_several_people_on_one_install_keep_their_own_plans(
    client: TestClient, web_settings: Settings
) -> None:
    first_run(client, "Ana", ["back_pain"])
    people_page = client.get("/people", headers=HTML).text
    assert 'href="/people/new"' in people_page
    new = client.get("/people/new", headers=HTML).text
    assert 'name="new_person" value="yes"' in new and 'value=""' in new  # no "me" pre-filled
    first_run(client, "Ben", ["hip_stability"], path="/people/new")
    ben_today = text_of(client.get("/", headers=HTML).text)
    assert "Side-lying leg lift" in ben_today and "Foot slide" not in ben_today
    db = open_database(web_settings.resolved_database_url())
    ids = {p.name: p.id for p in people.list_people(db)}
    db.close()
    token = csrf_token(client, "/people")
    client.post("/people", data={"csrf_token": token, "person_id": str(ids["Ana"])})
    ana_today = text_of(client.get("/", headers=HTML).text)
    assert "Foot slide" in ana_today and "Side-lying leg lift" not in ana_today
    # A second browser with no choice yet is asked who it is, never shown someone's data.
    other = TestClient(client.app, base_url="http://127.0.0.1")
    page = other.get("/", headers=HTML)
    assert "choose who you are" in page.text


def test_rescreen_after_an_emergency_says_why_it_still_waits(client: TestClient) -> None:
    token = csrf_token(client, "/start")
    client.post(
        "/start", data=screen_form(token, yes=("saddle_numbness",)) | {"name": "Ana"}, headers=HTML
    )
    token = csrf_token(client, "/screen?reason=manual")
    page = client.post("/screen", data=screen_form(token) | {"reason": "manual"}, headers=HTML).text
    assert "an earlier safety check said to get emergency care" in page
    assert "One or more answers are warning signs" not in page
