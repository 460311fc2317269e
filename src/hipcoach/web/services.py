"""What the web app needs from the rest of hipcoach, gathered in one replaceable object.

The defaults use the real catalogue, engine and MediaPipe backend (imported lazily, so the
app starts fast). Tests swap single pieces, e.g. a fake estimator, when the piece is not
what they test.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from hipcoach.exercises.schema import Exercise, Variation
from hipcoach.pose.estimator import PoseEstimator
from hipcoach.web.live import AnalyserFactory, FinishedSet, create_engine_analyser


def list_catalogue_exercises() -> list[Exercise]:
    from hipcoach.exercises.catalogue import load_catalogue

    return list(load_catalogue().exercises)


def find_exercise(exercise_id: str) -> Exercise:
    """The catalogue entry; CatalogueError listing the valid ids when unknown."""
    from hipcoach.exercises.catalogue import get_exercise

    return get_exercise(exercise_id)


def find_variation(exercise: Exercise, variation_id: str | None) -> Variation | None:
    from hipcoach.exercises.catalogue import resolve_variation

    return resolve_variation(exercise, variation_id)


def create_default_estimator() -> PoseEstimator:
    from hipcoach.pose.source import default_estimator

    return default_estimator()


class FinishedSetStore(Protocol):
    """Where sets whose socket has ended wait to be saved (the app puts them in the
    database: `server_state.SharedFinishedSets`)."""

    def keep(self, finished: FinishedSet) -> None: ...

    def get(self, set_id: str) -> FinishedSet | None: ...

    def pop(self, set_id: str) -> FinishedSet | None: ...


class FinishedSets:
    """Sets whose socket has ended, kept in this process's memory until saved (at most
    `capacity`); `create_app` replaces it with the database's."""

    def __init__(self, capacity: int = 64) -> None:
        self.capacity = capacity
        self._sets: OrderedDict[str, FinishedSet] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, finished: FinishedSet) -> None:
        with self._lock:
            self._sets[finished.set_id] = finished
            self._sets.move_to_end(finished.set_id)
            while len(self._sets) > self.capacity:
                self._sets.popitem(last=False)

    def get(self, set_id: str) -> FinishedSet | None:
        with self._lock:
            return self._sets.get(set_id)

    def pop(self, set_id: str) -> FinishedSet | None:
        with self._lock:
            return self._sets.pop(set_id, None)


@dataclass
class WebServices:
    """Replaceable collaborators of the web app."""

    list_exercises: Callable[[], list[Exercise]] = list_catalogue_exercises
    get_exercise: Callable[[str], Exercise] = find_exercise
    resolve_variation: Callable[[Exercise, str | None], Variation | None] = find_variation
    create_analyser: AnalyserFactory = create_engine_analyser
    create_estimator: Callable[[], PoseEstimator] = create_default_estimator
    finished_sets: FinishedSetStore = field(default_factory=FinishedSets)
    clock: Callable[[], float] = time.time
    today: Callable[[], dt.date] = dt.date.today
