"""The durable-rules (Rete) engine, behind guards against its known hazards.

durable-rules 2.0.28 was measured here with hazards this adapter makes
impossible (each has a regression test in ``tests/test_durable_hazards.py`` or, for
fork, warnings and partial rule sets, ``tests/test_durable_process.py``):

- The stock ``Host`` starts timer threads that race with callers and crashed
  the process under threads. ``_QuietHost`` starts none, and one process-wide
  lock serialises every call into the engine.
- ``delete_state`` on a session where no action ran crashes: every compiled
  rule set has a ``__session__`` rule that fires on each context.
- At most 1024 live sessions per rule set, and session ids are matched by a
  32-bit hash: one session id is used, and its state is deleted after every
  evaluation (under the lock), so exactly one session is ever live. Should an
  evaluation fail before the session's first action ran (deleting would then
  crash), that session is abandoned and the next evaluation uses a new id.
- A bare "field absent" test matches the engine's own state fact: every
  pattern here also tests ``kind``, and absence is never tested.
- Action exceptions are swallowed into the session state: actions record
  their own errors and the state is checked after each run.
- Loose comparisons ("5" > 10 is true) and rejected floats: only validated,
  JSON-normal facts reach the engine (strings from enums, booleans, counts).
- Registering a rule-set name twice raises and rule sets are never freed:
  each distinct rule set is registered once, named by its content hash.
- A process forked while another thread held the lock copied it held, and the
  child hung on its first call. The lock is taken before ``fork`` (so no
  evaluation is half-way in the copied engine) and made afresh in the child.
- Its C extension warns (``DeprecationWarning``) on Python 3.12; where warnings
  are errors that became an ``EngineError``. Warnings raised inside the engine
  are ignored, within the lock: ``warnings.catch_warnings`` changes
  process-wide state, so it is only ever entered by the thread holding it.
- Asserting a fact that no rule pattern takes raises
  ``MessageNotHandledException``: a finding no loaded rule uses (a partial rule
  set) is recorded without being asserted.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .._errors import EngineError, EngineUnavailableError
from .._rulebook.compile import CompiledRule, Conjunction
from .._rulebook.evaluation import EngineName, Evaluation, Facts
from .._rulebook.ruleset import RuleSet

SESSION_ID = "1"
"""The session id every evaluation uses, unless one failed half-way (see above)."""
_SESSION_RULE = "__session__"


_WARNINGS_LOCK = threading.RLock()
"""Held by whoever changes the warning filters here: ``warnings.catch_warnings`` swaps
process-wide state, and two overlapping uses could leave one's filters behind."""


@contextmanager
def _quiet() -> Iterator[None]:
    """Ignore warnings raised inside durable-rules (Python 3.12 deprecations in its code say
    nothing a user of this library can act on). Evaluations enter it holding the engine
    lock; the import check enters it alone."""
    with _WARNINGS_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        yield


_IMPORT_ERROR: list[str | None] = []
"""The outcome of trying to import durable-rules, once known (it cannot change)."""


DURABLE_MAX_ALTERNATIVES = 450
"""The most compiled rule alternatives handed to durable-rules. Measured here: 473 ran;
593 and more crashed or hung the process (its recursion over the rule network), and it
refuses 5,000 outright. Larger rule sets run on the python engine."""


def durable_limit_problem(rules: RuleSet) -> str | None:
    """Why durable-rules cannot run this rule set (too many alternatives), or ``None``."""
    count = sum(len(rule.disjuncts) for rule in rules.compiled)
    if count <= DURABLE_MAX_ALTERNATIVES:
        return None
    largest = sorted(rules.compiled, key=lambda rule: (-len(rule.disjuncts), rule.id))[:3]
    named = ", ".join(f"'{rule.id}' ({len(rule.disjuncts)})" for rule in largest)
    return (f"durable-rules cannot run these rules: they compile into {count} alternatives, "
            f"more than the {DURABLE_MAX_ALTERNATIVES} it handles (largest: {named}); "
            "use engine='python' or 'auto'")


def durable_import_error() -> str | None:
    """Why durable-rules cannot be used here, or ``None`` if it can."""
    if not _IMPORT_ERROR:
        with _quiet():
            if not _IMPORT_ERROR:
                try:
                    import durable.engine  # noqa: F401
                except ImportError as error:  # also the 3.13+ failure of its C extension
                    _IMPORT_ERROR.append(f"{type(error).__name__}: {error}")
                else:
                    _IMPORT_ERROR.append(None)
    return _IMPORT_ERROR[0]


class _Collector:
    """What the actions of one evaluation record."""

    def __init__(self) -> None:
        self.fired: dict[str, int] = {}
        self.findings: set[str] = set()
        self.errors: list[BaseException] = []
        self.session_started = False


class _Runtime:
    """The one durable-rules host of this process and everything tied to it."""

    def __init__(self) -> None:
        reason = durable_import_error()
        if reason is not None:
            raise EngineUnavailableError(
                "the durable-rules engine cannot be imported here "
                f"({reason}). It needs Python 3.11 or 3.12 and a C compiler at install "
                "time; use engine='python' (or 'auto') instead."
            )
        from durable.engine import Host

        class _QuietHost(Host):  # type: ignore[misc]
            """A host without the background timer threads (no timers are used)."""

            def _run(self) -> None:
                return None

        self.host: Any = _QuietHost()
        self.lock = threading.Lock()
        self.registered: dict[str, str] = {}
        self.current: _Collector | None = None
        self.session_id = SESSION_ID
        self.abandoned_sessions = 0

    def ruleset_name(self, rules: RuleSet) -> str:
        """Register the rule set on first use; the caller holds the lock."""
        name = self.registered.get(rules.fingerprint)
        if name is None:
            name = f"collab_advisor_{rules.fingerprint[:32]}"
            try:
                self.host.set_rulesets({name: self._definition(rules)})
            except Exception as error:
                raise EngineError(f"durable-rules refused the compiled rules: {error}") from error
            self.registered[rules.fingerprint] = name
        return name

    def _definition(self, rules: RuleSet) -> dict[str, Any]:
        used = frozenset(finding for rule in rules.compiled
                         for conjunction in rule.disjuncts for finding in conjunction.findings)
        definition: dict[str, Any] = {
            _SESSION_RULE: {"all": [{"c": {"kind": "context"}}], "run": self._session_action},
        }
        for rule in rules.compiled:
            for index, conjunction in enumerate(rule.disjuncts):
                definition[f"{rule.id}#{index}"] = {
                    "all": _patterns(conjunction),
                    "run": self._action(rule, index, used),
                }
        return definition

    def _session_action(self, closure: Any) -> None:
        """Fires on every context, so the session has a completed action before deletion."""
        if self.current is not None:
            self.current.session_started = True

    def end_session(self, name: str, collector: _Collector) -> None:
        """Delete the session's state, or abandon the session if deleting would crash."""
        if collector.session_started:
            self.host.delete_state(name, self.session_id)
        else:
            self.abandoned_sessions += 1
            self.session_id = f"{SESSION_ID}.{self.abandoned_sessions}"

    def _action(self, rule: CompiledRule, index: int,
                used: frozenset[str]) -> Callable[[Any], None]:
        def action(closure: Any) -> None:
            collector = self.current
            if collector is None:  # pragma: no cover - only reachable outside the lock
                return
            try:
                previous = collector.fired.get(rule.id)
                if previous is None or index < previous:
                    collector.fired[rule.id] = index
                if rule.concludes is not None and rule.concludes not in collector.findings:
                    collector.findings.add(rule.concludes)
                    if rule.concludes in used:  # no pattern takes the others
                        closure.assert_fact({"kind": "finding", "name": rule.concludes})
            except BaseException as error:  # durable-rules would swallow it
                collector.errors.append(error)

        return action


def _patterns(conjunction: Conjunction) -> list[dict[str, Any]]:
    tests: list[dict[str, Any]] = [{"kind": "context"}]
    for field, values in conjunction.choices:
        tests.append({"$ex": {field: 1}})
        if len(values) == 1:
            tests.append({field: values[0]})
        else:
            tests.append({"$or": [{field: value} for value in values]})
    for field, low, high in conjunction.ranges:
        tests.extend(({"$ex": {field: 1}}, {"$gte": {field: low}}, {"$lte": {field: high}}))
    patterns: list[dict[str, Any]] = [{"c": {"$and": tests}}]
    for number, finding in enumerate(conjunction.findings):
        patterns.append({f"f{number}": {"$and": [{"kind": "finding"}, {"name": finding}]}})
    return patterns


_RUNTIME: _Runtime | None = None
_RUNTIME_LOCK = threading.Lock()


def _runtime() -> _Runtime:
    global _RUNTIME
    with _RUNTIME_LOCK:
        if _RUNTIME is None:
            _RUNTIME = _Runtime()
        return _RUNTIME


def _before_fork() -> None:
    """Wait for any evaluation to finish, so the child copies an engine at rest. The locks
    are taken in the order evaluations take them, so this cannot deadlock with one."""
    _RUNTIME_LOCK.acquire()
    if _RUNTIME is not None:
        _RUNTIME.lock.acquire()
    _WARNINGS_LOCK.acquire()


def _after_fork_in_parent() -> None:
    _WARNINGS_LOCK.release()
    if _RUNTIME is not None:
        _RUNTIME.lock.release()
    _RUNTIME_LOCK.release()


def _after_fork_in_child() -> None:
    """Fresh locks: the copies are held by the thread that forked, in the parent."""
    global _RUNTIME_LOCK, _WARNINGS_LOCK
    _RUNTIME_LOCK = threading.Lock()
    _WARNINGS_LOCK = threading.RLock()
    if _RUNTIME is not None:
        _RUNTIME.lock = threading.Lock()
        _RUNTIME.current = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                        after_in_child=_after_fork_in_child)


class DurableEngine:
    """Evaluates rules on durable-rules' Rete engine; safe to call from many threads."""

    name: EngineName = "durable"

    def __init__(self) -> None:
        self._runtime = _runtime()

    def evaluate(self, rules: RuleSet, facts: Facts) -> Evaluation:
        """Assert the context as a fact, let the rules chain, and read what fired."""
        runtime = self._runtime
        with runtime.lock, _quiet():
            fact: dict[str, Any] = {**facts, "sid": runtime.session_id, "kind": "context"}
            name = runtime.ruleset_name(rules)
            collector = _Collector()
            runtime.current = collector
            try:
                state = runtime.host.assert_fact(name, fact)
            except Exception as error:
                raise EngineError(f"durable-rules failed while evaluating: {error}") from error
            finally:
                runtime.current = None
                runtime.end_session(name, collector)
        if collector.errors:
            raise EngineError(f"a rule action failed: {collector.errors[0]!r}")
        if isinstance(state, dict) and "exception" in state:
            raise EngineError(f"durable-rules reported an error: {state['exception']}")
        return Evaluation(collector.fired, frozenset(collector.findings))
