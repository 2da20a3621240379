"""The fast parts of the soak: threads mixing every call, and repeated reloads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from collab_advisor import EngineChoice, load_rules, recommend, shipped_rules_dir
from collab_advisor._model.samples import seeded_field_values

from .conftest import ROOT

CUSTOM = ROOT / "examples" / "custom_rules"


def _work(item: tuple[int, dict[str, Any], EngineChoice]) -> tuple[Any, ...]:
    number, ctx, engine = item
    if number % 3 == 0:
        rules = load_rules(shipped_rules_dir(), CUSTOM)
        return (rules.fingerprint, recommend(ctx, rules=rules, engine=engine).fired_rules)
    rec = recommend(ctx, engine=engine)
    if number % 3 == 1:
        changed = rec.what_if(time_span="open_ended", resourcing="some_support")
        return (changed.recommendation.fired_rules, changed.top_changed, rec.is_settled)
    return (rec.fired_rules, tuple(r.score for r in rec.ranking), rec.top.score_range)


def test_eight_threads_mixing_every_call_match_sequential(engine: EngineChoice) -> None:
    """recommend, what_if and load_rules from 8 threads at once give the sequential results."""
    items = [(n, ctx, engine) for n, ctx in enumerate(seeded_field_values(96, seed=31))]
    sequential = [_work(item) for item in items]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(_work, items)) == sequential


def test_reloading_a_custom_rule_set_many_times_changes_nothing(engine: EngineChoice) -> None:
    """60 reloads give equal rule sets, the same advice, and one engine registration."""
    context = {"resourcing": "some_support", "time_span": "open_ended"}
    first = load_rules(shipped_rules_dir(), CUSTOM)
    expected = recommend(context, rules=first, engine=engine)
    for _ in range(60):
        again = load_rules(shipped_rules_dir(), CUSTOM)
        assert again == first
        assert recommend(context, rules=again, engine=engine) == expected
    if engine == "durable":
        from collab_advisor._engines.durable import _runtime

        assert list(_runtime().registered).count(first.fingerprint) == 1
