"""Regression tests for each measured hazard of durable-rules 2.0.28 (see _engines/durable.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pydantic import ValidationError

from collab_advisor import Context, EngineError, load_rules, recommend
from collab_advisor._engines.durable import DurableEngine, _Collector, _runtime
from collab_advisor._model.fields import RULE_FIELDS
from collab_advisor._model.samples import seeded_field_values

pytestmark = pytest.mark.usefixtures("durable_engine")


def _signature(ctx: dict[str, Any], engine: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    rec = recommend(ctx, engine=engine)  # type: ignore[arg-type]
    return rec.fired_rules, tuple(r.score for r in rec.ranking)


def test_no_timer_threads_are_started() -> None:
    """The engine runs without the stock Host's background timer threads."""
    recommend({"aim": "share_know_how"}, engine="durable")
    timers = [t for t in threading.enumerate() if isinstance(t, threading.Timer)]
    assert timers == []


def test_eight_threads_get_the_same_results_as_one() -> None:
    """8 threads x 1,000 concurrent calls give exactly the sequential results."""
    contexts = seeded_field_values(1000, seed=1, known=0.6)
    expected = [_signature(ctx, "python") for ctx in contexts]

    def worker(offset: int) -> list[tuple[tuple[str, ...], tuple[int, ...]]]:
        order = contexts[offset:] + contexts[:offset]  # each thread in a different order
        got = [_signature(ctx, "durable") for ctx in order]
        return got[-offset:] + got[:-offset] if offset else got

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(worker, [0, 125, 250, 375, 500, 625, 750, 875]))
    for result in results:
        assert result == expected


@pytest.mark.slow
def test_five_thousand_calls_leak_no_sessions() -> None:
    """Far past the 1,024-session limit, every result is still right and no session lives on."""
    contexts = seeded_field_values(5000, seed=2, known=0.6)
    rules = load_rules()
    engine = DurableEngine()
    for ctx in contexts:
        facts = {k: v for k, v in Context.model_validate(ctx).known().items() if k in RULE_FIELDS}
        assert engine.evaluate(rules, facts) == _python(rules, facts)  # type: ignore[arg-type]
    runtime = _runtime()
    with pytest.raises(Exception, match="309"):  # durable-rules: no such session
        runtime.host.get_state(runtime.registered[rules.fingerprint], runtime.session_id)


def _python(rules: Any, facts: dict[str, Any]) -> Any:
    from collab_advisor._engines.python import PythonEngine

    return PythonEngine().evaluate(rules, facts)


def test_alternating_contexts_share_no_state() -> None:
    """Each evaluation starts clean: what one context established never reaches the next."""
    rich = {"scope": "multi_organisation", "geographic_reach": "regional",
            "single_org_can_solve": False,
            "aim": "redesign_services"}
    bare = {"aim": "share_know_how"}
    for _ in range(3):
        assert _signature(rich, "durable") == _signature(rich, "python")
        assert _signature(bare, "durable") == _signature(bare, "python")
    assert "crosses-boundaries" not in recommend(bare, engine="durable").model_dump_json()


def _walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def test_compiled_patterns_never_test_bare_absence() -> None:
    """No pattern tests a field's absence, and every pattern names the kind of fact."""
    rules = load_rules()
    definition = _runtime()._definition(rules)
    text = json.dumps({k: v["all"] for k, v in definition.items()})
    assert "$nex" not in text
    for name, rule in definition.items():
        for pattern in rule["all"]:
            (body,) = pattern.values()
            kinds = [item for item in _walk(body) if isinstance(item, dict) and "kind" in item]
            assert kinds, name
    assert "__session__" in definition  # fires on every context, so delete_state is safe


def test_a_failing_action_raises_and_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    """An action error is raised as EngineError, not swallowed, and the next call is clean."""

    class Exploding(dict[str, int]):
        def __setitem__(self, key: str, value: int) -> None:
            raise RuntimeError("boom")

    original = _Collector.__init__

    def broken_init(self: _Collector) -> None:
        original(self)
        self.fired = Exploding()

    monkeypatch.setattr(_Collector, "__init__", broken_init)
    with pytest.raises(EngineError, match="boom"):
        recommend({"aim": "share_know_how"}, engine="durable")
    monkeypatch.undo()
    assert _signature({"aim": "share_know_how"}, "durable") == _signature(
        {"aim": "share_know_how"}, "python")


def test_only_validated_numbers_reach_the_engine() -> None:
    """Text counts are converted or refused before the engine's loose comparisons see them."""
    assert recommend({"sites": "5"}, engine="durable") == recommend({"sites": 5}, engine="durable")
    for bad in ("", "five", 5.5, 1e-05):
        with pytest.raises(ValidationError, match="sites"):
            recommend({"sites": bad}, engine="durable")


def test_loading_the_same_rules_again_registers_them_once() -> None:
    """Re-running a notebook cell reuses the registered rule set instead of failing."""
    runtime = _runtime()
    for _ in range(5):
        recommend({"aim": "share_know_how"}, rules=load_rules(), engine="durable")
    names = [n for f, n in runtime.registered.items() if f == load_rules().fingerprint]
    assert len(names) == 1


def test_a_failure_before_any_action_abandons_the_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """If the engine fails before the session's first action, the session is not deleted
    (that would crash) and the next evaluation starts in a fresh one."""
    runtime = _runtime()
    recommend({"aim": "share_know_how"}, engine="durable")  # registers the rule set
    before = runtime.session_id

    def refuse(name: str, fact: dict[str, Any]) -> None:
        raise RuntimeError("engine refused the fact")

    monkeypatch.setattr(runtime.host, "assert_fact", refuse)
    with pytest.raises(EngineError, match="refused the fact"):
        recommend({"aim": "share_know_how"}, engine="durable")
    monkeypatch.undo()
    assert runtime.session_id != before
    assert _signature({"aim": "redesign_services"}, "durable") == _signature(
        {"aim": "redesign_services"}, "python")
