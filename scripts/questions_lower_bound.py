"""The fewest questions any interview could ask before it stops: an oracle's minimum per case.

    .venv/bin/python scripts/questions_lower_bound.py [--cases casebook|heldout] [--aim-first]
        [--unknown-too] [--threshold 0.9] [--cap 9] [--seconds 0] [--beam 0] [--compare]
        [--only ID,ID] [--verbose]

``questions_to_stop.py`` measures how many questions the interview asks, per case, before
``stop_reason`` lets it stop. This script asks how few questions ANY order could ask, with
the rules and the stop rule as they are. For each case it finds the smallest k such that
some set S of k questions makes the stop rule fire once S has been asked: the facts are the
case's answers to the fields of S it knows, the fields of S it leaves unknown are held
("don't know"), and the check is made with exactly the calls ``questions_to_stop.run_case``
makes (``spread_of(rules, facts, alternatives=False, held=...)``, then ``stop_reason(spread,
S, threshold, proved=settled_proof(...))``).

Why that is a lower bound: the spread and the stop depend only on which questions have been
asked (the facts and the held fields), not on their order. The interview checks the stop
before every question, so an order that stops after its j-th question has a j-set that
stops; and a set that stops is an order that stops by its end (at its end, or earlier on a
smaller set). So the minimum over sets equals the minimum over orders, and no question
order, the interview's included, stops in fewer questions. The search is exhaustive: k = 0,
1, 2, ... and, for each k, every k-subset of the candidate fields, until one stops. Stopping
is not monotone (a superset of a stopping set may fail to stop, e.g. an answer that reopens
the race), which is why every subset of each size is tested rather than grown greedily;
greedy promise (the leader's share after each single question) only orders the subsets of
a size, so that the last size searched usually ends early.

Candidate fields: by default the case's KNOWN rule fields only (``RULE_FIELDS`` the case
answers). That is a lower bound only over orders that never ask a field the case leaves
unknown. The real interview does ask such fields, and a held field is not completed but
left out of the advice, which changes the spread: holding a field can make the stop come
sooner. ``--unknown-too`` makes every rule field a candidate, the unknown ones held, which
is the lower bound over every order (and is at most the interview's own count).

``--aim-first``: the purpose is asked first (``confidence_stop.ASKED_FIRST``), counted as
one question even when the case leaves it unknown (then held); the minimum is 0 if the stop
fires before any question, else 1 + the fewest further questions.

``--cap`` (default 9): no set larger than that is searched. ``--seconds`` (0: none): a time
budget per case for the sets with an unknown field (the known-only sets, a few thousand at
most, are always searched in full). ``--compare`` also runs the interview (``run_case``) on
each case and prints its count; with ``--unknown-too`` its questions are a set known to
stop, so no larger size is searched. A case whose search was cut short is printed as
"min in [low, high]": every set smaller than low was tested and none stops, and a set of
high questions (printed) stops; the mean of the lows is then itself a lower bound.
"never stops" (known fields only): no set of known fields stops at all. ``--beam N``: for
such a case, a beam search (the N sets with the highest leader's share, grown one field at a
time) looks for a smaller stopping set: it can lower high, never raise low.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from collab_advisor import load_rules
from collab_advisor._advice.confidence_count import spread_of
from collab_advisor._advice.confidence_stop import (
    ASKED_FIRST,
    STOP_SHARE,
    settled_proof,
    single_leader,
    stop_reason,
)
from collab_advisor._model.fields import RULE_FIELDS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from questions_to_stop import load_cases, run_case


def stop_after(rules: Any, truth: dict[str, Any], asked: list[str],
               threshold: float) -> tuple[str | None, float]:
    """Why the interview may stop once ``asked`` has been asked (``None``: it goes on), as
    ``run_case`` checks it, and the share of the approach first alone then."""
    facts = {f: truth[f] for f in asked if f in truth}
    held = [f for f in asked if f not in facts]
    spread = spread_of(rules, facts, alternatives=False, held=held)
    reason = stop_reason(spread, asked, threshold,
                         proved=settled_proof(rules, facts, held, spread))
    return (None if reason is None else reason.value), single_leader(spread)[1]


def _levels(rules: Any, truth: dict[str, Any], threshold: float, forced: list[str],
            pool: list[str], sizes: range, deadline: float | None,
            needs: set[str] | None = None) -> tuple[list[str] | None, int, int]:
    """Search level by level: for each size in ``sizes``, every ``forced`` + subset of
    ``pool`` of that size (only those with a field of ``needs``, when given). Returns the
    first set that stops (or ``None``), the first size not fully searched without a stop
    (or one past the last), and the number of sets tested."""
    tested = 0
    for size in sizes:
        for extra in itertools.combinations(pool, size):
            if needs is not None and needs.isdisjoint(extra):
                continue
            if deadline is not None and time.perf_counter() > deadline:
                return None, size, tested
            asked = [*forced, *extra]
            tested += 1
            if stop_after(rules, truth, asked, threshold)[0] is not None:
                return asked, size, tested
    return None, sizes.stop, tested


def _beam(rules: Any, truth: dict[str, Any], threshold: float, forced: list[str],
          pool: list[str], below: int, width: int) -> tuple[list[str] | None, int]:
    """A heuristic search for a stopping set of fewer than ``below`` questions (an upper
    bound only): grow the ``width`` sets whose leader's share is highest by one field at a
    time. Returns the first stopping set found (or ``None``) and the sets tested."""
    beam: list[tuple[str, ...]] = [()]
    tested = 0
    while beam and len(forced) + len(beam[0]) + 1 < below:
        grown: dict[tuple[str, ...], float] = {}
        for chosen in beam:
            for f in pool:
                if f in chosen:
                    continue
                extra = tuple(sorted((*chosen, f), key=pool.index))
                if extra in grown:
                    continue
                tested += 1
                reason, share = stop_after(rules, truth, [*forced, *extra], threshold)
                if reason is not None:
                    return [*forced, *extra], tested
                grown[extra] = share
        beam = sorted(grown, key=lambda e: -grown[e])[:width]
    return None, tested


def minimum(rules: Any, truth: dict[str, Any], threshold: float, *, aim_first: bool,
            unknown_too: bool, cap: int, seconds: float,
            upper: list[str] | None = None, beam: int = 0) -> dict[str, Any]:
    """The oracle's minimum for one case: ``{"low", "high", "set", "reason", "tested"}``.
    Every set smaller than ``low`` questions was tested and none stops; ``set`` (``high``
    questions; ``None`` when none is known) stops. ``low == high``: that is the minimum.
    ``upper``: a set known to stop (the interview's own), so no larger size is searched.

    First every set of known fields is searched, size by size (a few thousand sets at
    most); then, with ``unknown_too``, every smaller set with at least one unknown field,
    the unknown ones held, within ``seconds`` (0: no limit)."""
    tested = 1
    reason, _ = stop_after(rules, truth, [], threshold)
    if reason is not None:
        return {"low": 0, "high": 0, "set": [], "reason": reason, "tested": tested}
    best: list[str] | None = None
    if upper is not None:
        tested += 1
        if stop_after(rules, truth, upper, threshold)[0] is not None:
            best = list(upper)
    forced = list(ASKED_FIRST) if aim_first else []
    known = [f for f in RULE_FIELDS if f not in forced and f in truth]
    unknown = [f for f in RULE_FIELDS if f not in forced and f not in truth]
    # Greedy promise: the leader's share after the forced questions and one more; it only
    # orders the sets of a size, so that a stopping one tends to come early.
    promise = {}
    for f in known + (unknown if unknown_too else []):
        promise[f] = stop_after(rules, truth, [*forced, f], threshold)[1]
        tested += 1
    known.sort(key=lambda f: -promise[f])
    unknown.sort(key=lambda f: -promise.get(f, 0.0))
    # The smallest extra size to search is 1 (the empty set was tested above); sizes are
    # searched while the whole set stays within the cap and below the best found.
    first = 0 if forced else 1

    def top() -> int:
        limit = cap - len(forced) + 1
        return min(limit, len(best) - len(forced)) if best is not None else limit

    found, low, count = _levels(rules, truth, threshold, forced, known,
                                range(first, min(top(), len(known) + 1)), None)
    tested += count
    if found is not None:
        best = found
    if unknown_too:
        found, low, count = _levels(
            rules, truth, threshold, forced, known + unknown, range(first, top()),
            time.perf_counter() + seconds if seconds else None, needs=set(unknown))
        tested += count
        if found is not None:
            best = found
    low += len(forced)
    if beam and (best is None or low < len(best)):
        found, count = _beam(rules, truth, threshold, forced,
                             known + (unknown if unknown_too else []),
                             cap + 1 if best is None else len(best), beam)
        tested += count
        if found is not None:
            best = found
    if best is not None and low >= len(best):
        return {"low": len(best), "high": len(best), "set": best,
                "reason": stop_after(rules, truth, best, threshold)[0], "tested": tested}
    if not unknown_too and low > len(forced) + len(known):
        why = "never"  # every set of known fields tested: the unknown ones stay open
    elif low > cap:
        why = "cap"
    else:
        why = "time"
    return {"low": low, "high": None if best is None else len(best), "set": best,
            "reason": why, "tested": tested}


def main() -> None:
    """Search every case of the chosen set and print the minima."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="casebook", choices=("casebook", "heldout"))
    parser.add_argument("--aim-first", action="store_true",
                        help="the purpose is asked first (counted even when unknown)")
    parser.add_argument("--unknown-too", action="store_true",
                        help="fields the case leaves unknown are candidates too (held)")
    parser.add_argument("--threshold", type=float, default=STOP_SHARE)
    parser.add_argument("--cap", type=int, default=9, help="largest set size searched")
    parser.add_argument("--seconds", type=float, default=0.0,
                        help="time budget per case (0: none)")
    parser.add_argument("--beam", type=int, default=0,
                        help="when the search is cut short, a beam search of this width "
                             "for a smaller stopping set (an upper bound only)")
    parser.add_argument("--compare", action="store_true",
                        help="also run the interview and print its count")
    parser.add_argument("--only", default="", help="comma-separated case ids (default: all)")
    parser.add_argument("--verbose", action="store_true", help="one line per case")
    args = parser.parse_args()
    rules = load_rules()
    found, today = [], []
    started = time.perf_counter()
    only = {n for n in args.only.split(",") if n}
    for name, truth in load_cases(args.cases, 0, 0):
        if only and name not in only:
            continue
        t0 = time.perf_counter()
        run = run_case(rules, truth, args.threshold) if args.compare else None
        if run is not None:
            today.append(run["asked"])
        # The interview's own questions stop; a bound only when they are candidates.
        upper = (run["order"] if run is not None and args.unknown_too else None)
        best = minimum(rules, truth, args.threshold, aim_first=args.aim_first,
                       unknown_too=args.unknown_too, cap=args.cap, seconds=args.seconds,
                       upper=upper, beam=args.beam)
        found.append(best)
        if args.verbose:
            low, high = best["low"], best["high"]
            if low == high:
                shown = f"min {low}"
            elif best["reason"] == "never":
                shown = "never stops"
            else:
                shown = f"min in [{low}, {'?' if high is None else high}] ({best['reason']})"
            interview = "" if run is None else f", interview {run['asked']}"
            chosen = "-" if best["set"] is None else ", ".join(best["set"]) or "(none)"
            print(f"{name}: {shown}{interview}; {chosen}; {best['tested']} sets, "
                  f"{time.perf_counter() - t0:.1f} s", flush=True)
    lows = [b["low"] for b in found]
    highs = [b["high"] for b in found]
    print(f"{args.cases}: {len(found)} cases, stop share {args.threshold:.0%}, "
          f"{'aim first, ' if args.aim_first else ''}"
          f"{'every rule field a candidate' if args.unknown_too else 'known fields only'}")
    if lows == highs:
        print(f"  oracle minimum questions: mean {statistics.mean(lows):.2f}, max {max(lows)}, "
              f"median {statistics.median(lows)}")
    else:
        print(f"  oracle minimum questions: mean >= {statistics.mean(lows):.2f} "
              f"(lower bounds; cap, time or never)")
        if None not in highs:
            print(f"  sets found that stop: mean {statistics.mean(highs):.2f}, max {max(highs)}")
    if today:
        print(f"  interview today: mean {statistics.mean(today):.2f}, max {max(today)}")
    print(f"  {sum(b['tested'] for b in found)} sets tested in "
          f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
