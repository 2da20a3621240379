"""The interview: the most useful questions, one at a time, until the advice is clear.

Each next question is the one after which the fewest questions are expected before the
stop, over the ways the questions not yet asked could be answered (purpose first; see
``confidence_stop.question_order``).
It stops when one approach comes first in at least the stop share of those ways (90% by
default, ``--stop-share``), when first place is settled, or when nothing is left to ask;
it says why, and offers to go on. A skipped question counts as answered "don't know".

Prompts and messages go to standard error (the terminal), never to standard
output, so ``collab-advisor interview > report.txt`` still shows them. On a
terminal the prompt library ``prompt_toolkit`` gives line editing, history and
completion of the answers; when standard input is not a terminal, plain lines
are read, so another program can drive it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

import yaml

from .._advice.confidence import margin_of
from .._advice.confidence_count import Spread, spread_of
from .._advice.confidence_stop import (
    ASKED_FIRST,
    STOP_SHARE,
    StopReason,
    question_order,
    settled_proof,
    single_leader,
    stop_reason,
)
from .._advice.pairing import rules_for
from .._advice.questions import Question
from .._advice.recommend import Recommendation
from .._engines.plan import APPROACHES
from .._model.context import Context
from .._model.fields import FIELDS
from .._model.wording import describe_value, field_label, join_words
from .._result.facts import facts_of
from .atomic import write_atomic
from .values import ValueMatchError, allowed_values, match_value

PURPOSE_FIRST = ASKED_FIRST
"""Asked before anything else while unknown: planning starts from the purpose."""

PLANNING_WHY: dict[str, str] = {
    "aim": "Everything else follows from what the collaboration is for. Name the problem "
    "you want to solve before choosing how people will work together on it.",
    "evidence": "If the best way to do things is already known, the work is spreading it; "
    "if not, people first need room to find out together. That shapes how much of the "
    "work can be planned in advance.",
    "formality": "Structure costs effort to set up and keep going. Too little and people "
    "drift; too much and they stop feeling the work is theirs. Decide how much you need.",
    "time_span": "A planned end date changes what you budget for, how you recruit and "
    "what you hand over at the close; work with no end needs a plan for keeping people "
    "involved for years.",
    "scope": "The more organisations and places involved, the more agreements, travel, "
    "data sharing and governance you will need to arrange.",
    "control": "How the work is steered decides who reports to whom, which data is "
    "collected and how members will feel about taking part. Settle it early, openly.",
    "origin": "A group that is already forming needs conditions to grow; one set up on "
    "purpose needs a sponsor, invitations and a reason for people to join.",
    "agenda_set_by": "Who chooses the work affects commitment: members who pick their own "
    "problems tend to stay; work set from outside needs clear reasons and support.",
    "single_org_can_solve": "If one organisation could fix this alone, collaboration may "
    "not be worth its cost. If not, you will need partners with a stake in the answer.",
    "professions": "Several professions bring more views and skills, and more work to "
    "find times, language and goals that suit them all.",
    "patient_involvement": "Patients, service users and carers see gaps that staff miss. "
    "Decide early how they will help set the goals, and budget for their time.",
    "resourcing": "Goodwill runs out. Knowing what will pay for time, coordination and "
    "meetings tells you what the collaboration can realistically take on.",
    "leadership": "Who leads shapes how credible the work is with clinicians and how well "
    "it connects with the organisations' own plans and budgets.",
    "existing_network": "Building on people who already know and trust each other saves "
    "months; starting from nothing means planning time to build that trust.",
    "sites": "The number taking part sets the size of meetings, the support needed and "
    "how you will share what each one learns.",
    "clinical_focus": "A single topic allows shared measures and a common plan; a whole "
    "clinical area or population needs a longer view and room for several projects.",
    "enabling_support": "Support that gives time and space without directing the work "
    "helps members own it; support that comes with direction needs agreeing up front.",
    "shared_domain": "People stay involved when they share an interest they care about. "
    "Without one, you will need another reason for them to take part.",
    "geographic_reach": "Distance decides whether people can meet in person and which "
    "bodies must agree to the work.",
    "improvement_focus": "Quality and safety work use different measures and reporting; "
    "knowing which you aim at tells you what to collect and whom to involve.",
}
"""Why each question matters for planning the collaboration (not for the ranking)."""

_NOTHING_LEFT = "No more questions to ask"

_COMMANDS = ("Keys: answer with the number or the name of an answer (the start of a name "
             "is enough), then Enter.\n"
             "  Enter alone or s  skip: the answer is left unknown\n"
             "  b or back         go back and change your last answer\n"
             "  why               why the question matters for planning\n"
             "  ? or help         these keys, and why the question matters\n"
             "  q or stop         finish now and see the advice\n"
             "  Ctrl-C            leave (you are offered to save your answers)")

_HINT = "(number or name; Enter skips, b back, ? help, q stop)"


def planning_why(field_name: str) -> str:
    """Why a question matters for planning; the field's description where none is written."""
    return PLANNING_WHY.get(field_name) or FIELDS[field_name].description


class Asker(Protocol):
    """Where questions are asked and answers read."""

    def say(self, text: str) -> None:
        """Show a message to the person."""

    def ask(self, prompt: str, choices: list[str]) -> str:
        """Read one answer; ``EOFError`` at the end of input."""


class PlainAsker:
    """Prompts on standard error, answers as plain lines from standard input."""

    def __init__(self, reader: TextIO, writer: TextIO) -> None:
        self.reader = reader
        self.writer = writer

    def say(self, text: str) -> None:
        """Write to the prompt stream."""
        self.writer.write(text + "\n")
        self.writer.flush()

    def ask(self, prompt: str, choices: list[str]) -> str:
        """Read a line."""
        self.writer.write(prompt)
        self.writer.flush()
        line = self.reader.readline()
        if not line:
            raise EOFError
        return line.strip()


class TerminalAsker:
    """prompt_toolkit on the terminal: line editing, arrow keys, history, completion."""

    def __init__(self, stream: TextIO) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.output import create_output

        self._stream = stream
        self._session: PromptSession[str] = PromptSession(output=create_output(stdout=stream))

    def say(self, text: str) -> None:
        """Print above the prompt."""
        self._stream.write(text + "\n")
        self._stream.flush()

    def ask(self, prompt: str, choices: list[str]) -> str:
        """Prompt with completion of the allowed answers and the commands."""
        from prompt_toolkit.completion import WordCompleter

        words = [*choices, "why", "back", "skip", "stop", "help", "?"]
        completer = WordCompleter(words, ignore_case=True, sentence=True)
        return self._session.prompt(prompt, completer=completer).strip()


def prompt_stream() -> TextIO:
    """Where the person sees prompts: standard error, unless only standard output is a
    terminal (``2> log``)."""
    if not sys.stderr.isatty() and sys.stdout.isatty():
        return sys.stdout
    return sys.stderr


def make_asker() -> Asker:
    """The prompt library on a terminal, plain lines otherwise."""
    stream = prompt_stream()
    if sys.stdin.isatty() and stream.isatty() and not os.environ.get("COLLAB_ADVISOR_PLAIN"):
        return TerminalAsker(stream)
    return PlainAsker(sys.stdin, stream)


def save_answers(path: Path, answers: dict[str, Any]) -> None:
    """Write the answers as a YAML context file, replacing the old one in one step."""
    known = Context.model_validate(answers).known()
    text = ("# Answers from collab-advisor interview; read them back with\n"
            f"# collab-advisor recommend --context {path.name}\n"
            + (yaml.safe_dump(known, sort_keys=False, allow_unicode=True) if known else "{}\n"))
    write_atomic(path, text)


def parse_answer(field_name: str, reply: str) -> Any:
    """An answer by its number in the list, or typed (any case, or the start of a name).

    Returns ``None`` for no match; ``ValueMatchError`` explains an ambiguous prefix.
    """
    values = allowed_values(field_name)
    if FIELDS[field_name].kind == "count":
        try:
            value = match_value(field_name, reply)
        except ValueMatchError:
            return None  # not a whole number of at least 1: the question is asked again
        return value
    if reply.isdigit() and 1 <= int(reply) <= len(values):
        reply = values[int(reply) - 1]
    return match_value(field_name, reply)


_MISSING = object()


@dataclass
class Interview:
    """The state of one interview: answers, what was skipped, and how to go back."""

    recommend: Callable[[dict[str, Any]], Recommendation]
    asker: Asker
    answers: dict[str, Any]
    save: Path | None = None
    skipped: set[str] = field(default_factory=set)
    history: list[tuple[str, object]] = field(default_factory=list)
    """(field, its value before) for every answer or skip, newest last."""
    ask_next: str | None = None
    go_on: bool = False
    """Whether the person chose to answer the questions left once the advice was clear."""
    threshold: float = STOP_SHARE
    """The share of the ways the questions not yet asked could be answered in which one
    approach must come first for the interview to stop."""

    def spread(self, rec: Recommendation) -> Spread:
        """First places over the questions not yet asked (skipped ones held unknown)."""
        rules = rec.rules() if hasattr(rec, "rules") else rules_for(rec)
        return spread_of(rules, facts_of(rec.context), alternatives=False,
                         held=self.skipped)

    def pending(self, rec: Recommendation, spread: Spread | None = None) -> list[Question]:
        """The questions still to ask: purpose first, then the interview's order."""
        found = spread if spread is not None else self.spread(rec)
        order = {name: i for i, name in enumerate(question_order(
            found, list(FIELDS), skip=self.skipped, threshold=self.threshold))}
        open_questions = sorted((q for q in rec.next_questions if q.field in order),
                                key=lambda q: order[q.field])
        first = [q for name in ((self.ask_next,) if self.ask_next else ()) + PURPOSE_FIRST
                 for q in open_questions if q.field == name]
        return list(dict.fromkeys(first + open_questions))

    def _store(self) -> None:
        if self.save is not None:
            save_answers(self.save, self.answers)

    def _answer(self, question: Question, value: object) -> None:
        self.history.append((question.field, self.answers.get(question.field, _MISSING)))
        if value is _MISSING:
            self.skipped.add(question.field)
        else:
            self.answers[question.field] = value
        self.ask_next = None
        self._store()

    def _back(self) -> bool:
        if not self.history:
            self.asker.say("There is no earlier answer to change.")
            return False
        name, before = self.history.pop()
        self.skipped.discard(name)
        if before is _MISSING:
            self.answers.pop(name, None)
        else:
            self.answers[name] = before
        self.ask_next = name
        self._store()
        self.asker.say(f"Back to: {FIELDS[name].question}")
        return True

    def stop_message(self, spread: Spread, reason: StopReason) -> str:
        """Why the interview stops, in words (no final full stop)."""
        left = len(spread.fields)
        ways = (f"the {left} questions not yet asked" if left != 1
                else "the one question not yet asked")
        if reason is StopReason.SETTLED:
            leader = _approaches(spread.leader())
            outcome = (f"{leader[0].display_name} comes first" if len(leader) == 1 else
                       f"{join_words([a.display_name for a in leader])} tie for first place")
            return f"Settled: {outcome} however {ways} could be answered, under these rules"
        if reason is StopReason.CLEAR:
            best, share = single_leader(spread)
            name = APPROACHES[best or 0].display_name
            part = (f"{share:.0%}" if spread.exact else f"about {share:.0%} (±"
                    f"{max(0.1, round(100 * margin_of(share, spread.rows), 1)):.1f} points, "
                    f"a seeded sample of {spread.rows:,})")
            return (f"Clear enough to act on: {name} comes first in {part} of the ways "
                    f"{ways} could be answered (the stop share is {self.threshold:.0%}; every "
                    "open answer counted as equally likely)")
        unknown = len(self.skipped)
        return _NOTHING_LEFT + (f" ({unknown} left unknown)" if unknown else "")

    def _offer_rest(self, message: str, left: int) -> bool:
        self.asker.say(f"\n{message}. The {left} remaining question"
                       f"{'s' if left != 1 else ''} can still help you plan.")
        reply = self.asker.ask("Go on with them? (yes/no) > ", ["yes", "no"])
        return reply.strip().lower() in ("y", "yes", "go", "go on", "continue")

    def run(self) -> tuple[Recommendation, str]:
        """Ask until first place is clear enough, settled or nothing is left (then as long
        as wanted); the result and why it ended."""
        self.asker.say(_COMMANDS)
        rec = self.recommend(self.answers)
        while True:
            spread = self.spread(rec)
            pending = self.pending(rec, spread)
            rules = rec.rules() if hasattr(rec, "rules") else rules_for(rec)
            reason = stop_reason(spread, (), self.threshold, proved=settled_proof(
                rules, facts_of(rec.context), self.skipped, spread))
            if not pending:
                return rec, self.stop_message(spread, reason or StopReason.NOTHING_LEFT)
            if reason is not None and not self.go_on and not self.ask_next:
                message = self.stop_message(spread, reason)
                try:
                    self.go_on = self._offer_rest(message, len(pending))
                except EOFError:
                    return rec, message
                if not self.go_on:
                    return rec, message
            outcome = self._ask(pending[0])
            if outcome is not None:
                return rec, outcome
            rec = self.recommend(self.answers)

    def _ask(self, question: Question) -> str | None:
        """One question until it is answered, skipped or undone; a reason to stop, if any."""
        name = question.field
        values = allowed_values(name)
        self.asker.say(f"\n{question.question}")
        for number, value in enumerate(values, start=1):
            spec = FIELDS[name]
            meaning = spec.choices(value).description if spec.choices is not None else ""
            self.asker.say(f"  {number}. {describe_value(name, match_value(name, value))}"
                           + (f": {meaning}" if meaning else ""))
        if not values:
            self.asker.say(f"  A whole number (the advice tells apart: "
                           f"{'; '.join(question.answers)}).")
        self.asker.say(_HINT)
        while True:
            try:
                reply = self.asker.ask("> ", [describe_value(name, match_value(name, v))
                                              for v in values])
            except EOFError:
                return "Input ended"
            word = reply.strip().lower()
            if word in ("stop", "done", "quit", "q"):
                return "Stopped on request"
            if word == "why":
                self.asker.say(planning_why(name))
                continue
            if word in ("?", "help", "h"):
                self.asker.say(f"{_COMMANDS}\nWhy this question matters: {planning_why(name)}")
                continue
            if word in ("back", "b"):
                if self._back():
                    return None
                continue
            if word in ("skip", "s", ""):
                self._answer(question, _MISSING)
                self.asker.say(f"skipped: {field_label(name)} left unknown")
                return None
            try:
                chosen = parse_answer(name, reply)
            except ValueMatchError as error:
                message = str(error).removeprefix(f"{name}: ")
                self.asker.say(f"{message}. Or type why, back, skip or stop.")
                continue
            if chosen is None:
                self.asker.say(f"Please answer with a whole number of at least 1 for "
                               f"{field_label(name)} (or why, back, skip, stop).")
                continue
            self._answer(question, chosen)
            return None


def _approaches(mask: int) -> tuple[Any, ...]:
    return tuple(a for i, a in enumerate(APPROACHES) if mask >> i & 1)


def offer_to_save(asker: Asker, answers: dict[str, Any]) -> Path | None:
    """After Ctrl-C with no --save: ask for a file to keep the answers in (Enter, a second
    Ctrl-C or the end of input leaves without saving). The file written, if any."""
    if not answers:
        return None
    count = len(answers)
    asker.say(f"\nInterrupted. Save your {count} answer{'s' if count != 1 else ''} so far? "
              "Type a file name (for example answers.yaml), or press Enter to leave without "
              "saving.")
    while True:
        try:
            reply = asker.ask("Save to > ", [])
        except (KeyboardInterrupt, EOFError):
            return None
        if not reply:
            return None
        path = Path(reply).expanduser()
        try:
            save_answers(path, answers)
        except (OSError, ValueError) as error:
            asker.say(f"Cannot save to {path}: {getattr(error, 'strerror', None) or error}. "
                      "Type another name, or press Enter to leave without saving.")
            continue
        return path
