"""How the programme commands ask their questions: at the terminal, or from an answers file.

Not a command group itself: the shared asking layer of `start`, `session` and friends.

- `ConsolePrompter` asks at the terminal and asks again, naming the allowed answers, until
  the answer is valid.
- `ScriptedPrompter` reads a YAML or JSON answers file (`--answers FILE`) so every
  interactive command can run unattended. Keys are question ids (`set.pain`); nested
  mappings are joined with dots (`set: {pain: 2}`); a list gives one answer per time the
  question is asked, a single value answers every time; `screen.*` answers every
  `screen.<flag>` question not named on its own. A missing key falls back to the
  question's default, if it has one. A bad answer is a one-line InputFileError.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import yaml
from rich.console import Console

from hipcoach.errors import InputFileError
from hipcoach.programme.models import ProgrammeError
from hipcoach.programme.questions import Answer, Question, validate_answer


class Prompter(Protocol):
    unattended: bool

    def ask(self, question: Question) -> Answer:
        """A valid answer to the question."""
        ...


def _hint(question: Question) -> str:
    if question.kind == "yes_no":
        hint = "y/n"
    elif question.kind in ("integer", "number"):
        hint = f"{question.low:g}-{question.high:g}"
        said = (hint, f"{question.low:g} to {question.high:g}", f"{question.high:g} =")
        if any(words in question.text for words in said):
            hint = ""  # the question already says its range: say it once
    elif question.kind == "choice":
        hint = "number"
    elif question.kind == "choices":
        hint = "numbers, comma separated"
    else:
        hint = ""
    if question.default is not None:
        shown = question.default
        numbers = {c.value: str(i) for i, c in enumerate(question.choices, start=1)}
        if isinstance(shown, bool):
            shown = "y" if shown else "n"
        elif isinstance(shown, tuple):
            shown = ",".join(numbers.get(v, v) for v in shown)
        elif question.choices:
            shown = numbers.get(str(shown), shown)  # the number the person sees, not an id
        hint = f"{hint}, Enter = {shown}" if hint else f"Enter = {shown}"
    return f" [dim]({hint})[/dim]" if hint else ""


class ConsolePrompter:
    """Asks at the terminal; re-asks with the allowed range after an invalid answer."""

    unattended = False

    def __init__(self, console: Console) -> None:
        self.console = console

    def ask(self, question: Question) -> Answer:
        if question.help:
            self.console.print(f"[dim]{question.help}[/dim]")
        for index, choice in enumerate(question.choices, start=1):
            self.console.print(f"  {index}. {choice.label}", highlight=False)
        while True:
            try:
                raw = self.console.input(f"[bold]{question.text}[/bold]{_hint(question)} ")
            except EOFError:
                raise ProgrammeError(f"input ended before '{question.id}' was answered") from None
            try:
                return validate_answer(question, raw)
            except ValueError as exc:
                self.console.print(f"[red]{exc}[/red]")


def flatten_answers(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings to dotted keys: {"set": {"pain": 2}} -> {"set.pain": 2}."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_answers(value, prefix=f"{name}."))
        else:
            flat[name] = value
    return flat


def load_answers(path: Path) -> dict[str, Any]:
    """Read an answers file (YAML or JSON mapping); InputFileError naming the problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such answers file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: cannot be read ({exc})") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputFileError(f"{path}: not valid YAML/JSON ({first})") from None
    if not isinstance(data, Mapping):
        raise InputFileError(f"{path}: expected a mapping of question ids to answers")
    return flatten_answers(data)


class ScriptedPrompter:
    """Answers from a file, for scripts and tests; never waits for a person."""

    unattended = True

    def __init__(
        self,
        answers: Mapping[str, Any],
        source: str = "answers file",
        console: Console | None = None,
    ) -> None:
        self.answers = dict(answers)
        self.source = source
        self.console = console
        self.asked: dict[str, int] = {}
        self.log: list[tuple[str, Answer]] = []

    def _raw(self, question: Question) -> object:
        key = question.id
        if key not in self.answers:
            group = key.split(".", 1)[0]
            key = f"{group}.*" if f"{group}.*" in self.answers else key
        if key not in self.answers:
            if question.default is not None:
                return None
            raise InputFileError(f"{self.source}: no answer for '{question.id}' ({question.text})")
        value = self.answers[key]
        if isinstance(value, list) and question.kind != "choices":
            count = self.asked.get(question.id, 0)
            self.asked[question.id] = count + 1
            if count >= len(value):
                raise InputFileError(
                    f"{self.source}: '{question.id}' has {len(value)} answer(s) but was "
                    f"asked a time more"
                )
            return value[count]
        return value

    def ask(self, question: Question) -> Answer:
        raw = self._raw(question)
        try:
            answer = validate_answer(question, raw)
        except ValueError as exc:
            raise InputFileError(f"{self.source}: '{question.id}': {exc}") from None
        self.log.append((question.id, answer))
        if self.console is not None:
            shown: object = answer
            if isinstance(answer, tuple):
                shown = ",".join(answer)
            elif isinstance(answer, bool):
                shown = "yes" if answer else "no"
            self.console.print(f"[dim]{question.text} {shown}[/dim]", highlight=False)
        return answer


def make_prompter(answers: Path | None, console: Console) -> Prompter:
    """A scripted prompter for `--answers FILE`, else the terminal."""
    if answers is None:
        return ConsolePrompter(console)
    return ScriptedPrompter(load_answers(answers), source=str(answers), console=console)


def ask_int(prompter: Prompter, question: Question) -> int:
    return int(prompter.ask(question))  # type: ignore[arg-type]


def ask_float(prompter: Prompter, question: Question) -> float:
    return float(prompter.ask(question))  # type: ignore[arg-type]


def ask_yes(prompter: Prompter, question: Question) -> bool:
    return bool(prompter.ask(question))


def ask_text(prompter: Prompter, question: Question) -> str:
    return str(prompter.ask(question))


def parse_day(text: str | None) -> dt.date:
    """The day a command counts as: `--date YYYY-MM-DD`, or today."""
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ProgrammeError(f"--date must look like 2025-03-10, got {text!r}") from None


def make_console() -> Console:
    """A console on the current stdout (so test runners capture it), never wider than 100."""
    console = Console()
    if console.width > 100:
        console = Console(width=100)
    return console
