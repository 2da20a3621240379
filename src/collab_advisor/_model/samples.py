"""Seeded samples of contexts, shared by the benchmark, soak scripts and tests.

A fixed seed gives the same contexts on every machine, so figures and test
failures can be reproduced.
"""

from __future__ import annotations

import random
from typing import Any

from .context import Context
from .fields import RULE_FIELDS


def seeded_field_values(count: int, seed: int, known: float = 0.6,
                        max_sites: int = 200) -> list[dict[str, Any]]:
    """``count`` mappings of rule fields to values; each field known with probability ``known``."""
    rng = random.Random(seed)  # noqa: S311 - reproducible samples, not secrets
    out: list[dict[str, Any]] = []
    for _ in range(count):
        values: dict[str, Any] = {}
        for name, spec in RULE_FIELDS.items():
            if rng.random() < known:
                values[name] = (rng.randint(1, max_sites) if spec.kind == "count"
                                else rng.choice(spec.values))
        out.append(values)
    return out


def seeded_contexts(count: int, seed: int, known: float = 0.6) -> list[Context]:
    """The same samples as validated contexts."""
    return [Context.model_validate(v) for v in seeded_field_values(count, seed, known)]
