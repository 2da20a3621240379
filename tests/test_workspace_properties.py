"""Properties of the workspace's agreement figures and of signed records (hypothesis)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from collab_advisor._workspace.agreement import agreement
from collab_advisor._workspace.record import RecordError, extract, sign

TIME_SPANS = st.sampled_from(["fixed_term", "open_ended"])
CONTROLS = st.sampled_from(["supported", "accountable"])
ANSWER_SETS = st.lists(
    st.fixed_dictionaries({}, optional={"time_span": TIME_SPANS, "control": CONTROLS,
                                        "sites": st.integers(1, 5)}),
    min_size=1, max_size=12)
KEY = Ed25519PrivateKey.generate()
JSON = st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


@given(ANSWER_SETS)
def test_agreement_per_field_is_the_share_giving_the_most_common_answer(
        answer_sets: list[dict[str, Any]]) -> None:
    """Each field's share and spread match a plain count of the answers given."""
    result = agreement(answer_sets)
    for field in result.fields:
        given_values = [a[field.field] for a in answer_sets if field.field in a]
        counts = Counter(given_values)
        assert field.answered == len(given_values)
        assert field.modal_share == max(counts.values()) / len(given_values)
        assert field.agreed == (len(counts) == 1)
        assert sorted((v.value, v.count) for v in field.spread) == sorted(counts.items())
        assert [v.count for v in field.spread] == sorted((v.count for v in field.spread),
                                                         reverse=True)
    assert {f.field for f in result.fields} == {k for a in answer_sets for k in a}


@given(ANSWER_SETS.filter(lambda sets: len(sets) >= 2))
def test_alpha_is_one_when_every_member_gives_the_same_answers(
        answer_sets: list[dict[str, Any]]) -> None:
    """Identical answer sets with at least two distinct values give alpha 1 (full agreement)."""
    same = [dict(answer_sets[0]) for _ in answer_sets]
    result = agreement(same)
    if len(set(same[0].items())) >= 2:
        assert result.alpha == 1.0
    else:
        assert result.alpha is None and result.alpha_note


@given(st.dictionaries(st.text(min_size=1, max_size=8), JSON, min_size=1, max_size=6))
def test_a_signed_body_verifies_and_any_change_to_it_fails(body: dict[str, Any]) -> None:
    """Any JSON body signs and verifies through its embedding; an added key breaks the hash."""
    signed = sign(body, KEY)
    again = extract(signed.embedded().encode("utf-8"))
    assert again == signed and again.verify().startswith("OK")
    changed = type(signed)(body={**body, "\x00extra": 1}, sha256=signed.sha256,
                           signature=signed.signature, public_key=signed.public_key)
    with pytest.raises(RecordError, match="hash mismatch"):
        changed.verify()
