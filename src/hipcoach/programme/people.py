"""People: create, find, delete. The CLI serves one person at a time; the web may serve more."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from hipcoach.programme.models import PersonInfo, ProgrammeError
from hipcoach.store.database import Database
from hipcoach.store.tables import Person

DEFAULT_NAME = "me"


def person_info(person: Person) -> PersonInfo:
    return PersonInfo(
        id=person.id,
        name=person.name,
        started_on=person.started_on,
        goals=tuple(person.goals or ()),
        baseline_pain=person.baseline_pain,
        psfs_activities=tuple(person.psfs_activities or ()),
        onboarded=person.onboarded,
    )


def create_person(db: Database, name: str, on: dt.date) -> PersonInfo:
    """Add a person; ProgrammeError if the name is taken or empty."""
    name = name.strip()
    if not name or len(name) > 80:
        raise ProgrammeError("a name needs 1 to 80 characters")
    with db.transaction() as s:
        if s.scalar(select(Person.id).where(Person.name == name)) is not None:
            raise ProgrammeError(f"there is already someone called {name!r}")
        person = Person(name=name, started_on=on, goals=[], psfs_activities=[])
        s.add(person)
        s.flush()
        return person_info(person)


def list_people(db: Database) -> list[PersonInfo]:
    with db.transaction() as s:
        return [person_info(p) for p in s.scalars(select(Person).order_by(Person.id))]


def find_person(db: Database, name: str | None = None) -> PersonInfo | None:
    """The person called `name`, or the only person when no name is given; None if nobody.
    ProgrammeError when several people exist and no name says which."""
    with db.transaction() as s:
        if name is not None:
            person = s.scalar(select(Person).where(Person.name == name.strip()))
            return person_info(person) if person else None
        count = s.scalar(select(func.count(Person.id))) or 0
        if count > 1:
            names = ", ".join(s.scalars(select(Person.name).order_by(Person.id)))
            raise ProgrammeError(
                f"several people use this database ({names}): say which with --person"
            )
        person = s.scalar(select(Person))
        return person_info(person) if person else None


def require_person(db: Database, name: str | None = None) -> PersonInfo:
    """Like find_person, but ProgrammeError telling to run `hipcoach start` if nobody."""
    person = find_person(db, name)
    if person is None:
        who = f"nobody called {name!r}" if name else "nobody has started yet"
        raise ProgrammeError(f"{who}: run `hipcoach start` first")
    return person


def delete_person(db: Database, person_id: int) -> None:
    """Remove the person and everything recorded about them, in one transaction."""
    with db.transaction() as s:
        person = s.get(Person, person_id)
        if person is None:
            raise ProgrammeError("that person no longer exists")
        s.delete(person)
