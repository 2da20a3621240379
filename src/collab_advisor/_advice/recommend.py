"""The old home of ``recommend()`` and its records, kept so that imports of it still work.

The result is plain data in ``collab_advisor._result``; analyses of it are functions in
``collab_advisor._advice.analyse``.
"""

from __future__ import annotations

from .._result.build import build_recommendation, construct, recommend, shipped_rules
from .._result.record import (
    RESULT_SCHEMA_VERSION,
    FindingTrace,
    Inference,
    RankedApproach,
    Reason,
    Recommendation,
    RuleReference,
)

__all__ = [
    "RESULT_SCHEMA_VERSION",
    "FindingTrace",
    "Inference",
    "RankedApproach",
    "Reason",
    "Recommendation",
    "RuleReference",
    "build_recommendation",
    "construct",
    "recommend",
    "shipped_rules",
]
