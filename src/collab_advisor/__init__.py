"""collab_advisor: which collaboration-based approach fits an improvement initiative, and why.

Every module is private; this file is the public API.

    >>> from collab_advisor import recommend
    >>> rec = recommend(time_span="fixed_term", aim="close_practice_gap")
    >>> print(rec.explain())  # doctest: +SKIP
"""

from typing import Any

from . import _explain, _render, _team_render  # noqa: F401  (they register the renderings)
from ._batch import BatchItem, SurveyRow, recommend_frame, recommend_many, survey
from ._checklist import PlanningQuestion
from ._considerations import AdviceReason, Consideration
from ._context import (
    AgendaSetBy,
    Aim,
    Approach,
    ClinicalFocus,
    Context,
    Control,
    EnablingSupport,
    Evidence,
    Formality,
    GeographicReach,
    ImprovementFocus,
    Leadership,
    Origin,
    PatientInvolvement,
    Professions,
    Resourcing,
    Scope,
    TimeSpan,
)
from ._counterfactual import Change, PathTo, WhatIf
from ._engines import EngineChoice, durable_available
from ._errors import (
    CollabAdvisorError,
    EngineError,
    EngineUnavailableError,
    RuleFileError,
    RuleProblem,
)
from ._loader import load_rules, shipped_rules_dir
from ._questions import Fit, Question
from ._recommend import (
    FindingTrace,
    Inference,
    RankedApproach,
    Reason,
    Recommendation,
    recommend,
)
from ._robustness import Robustness
from ._ruleformat import ConsiderationKind
from ._rulesdiff import (
    CaseChange,
    FiringChange,
    RuleChange,
    RuleInPlay,
    RulesDiff,
    Transition,
    diff_rules,
)
from ._ruleset import RuleLocation, RuleSet
from ._team import (
    Disagreement,
    MemberView,
    ProposedValue,
    TeamMember,
    TeamRecommendation,
    recommend_team,
)
from ._whynot import UnmetRule, WhyNot

__version__: str


def __getattr__(name: str) -> Any:
    """``__version__``, read from the installed package's metadata on first use only
    (``importlib.metadata`` costs tens of milliseconds at import)."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("collab-advisor")
        except PackageNotFoundError:  # pragma: no cover - an uninstalled checkout
            found = "0+unknown"
        globals()["__version__"] = found
        return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "AdviceReason",
    "AgendaSetBy",
    "Aim",
    "Approach",
    "BatchItem",
    "CaseChange",
    "Change",
    "ClinicalFocus",
    "CollabAdvisorError",
    "Consideration",
    "ConsiderationKind",
    "Context",
    "Control",
    "Disagreement",
    "EnablingSupport",
    "EngineChoice",
    "EngineError",
    "EngineUnavailableError",
    "Evidence",
    "FindingTrace",
    "FiringChange",
    "Fit",
    "Formality",
    "GeographicReach",
    "ImprovementFocus",
    "Inference",
    "Leadership",
    "MemberView",
    "Origin",
    "PathTo",
    "PatientInvolvement",
    "PlanningQuestion",
    "Professions",
    "ProposedValue",
    "Question",
    "RankedApproach",
    "Reason",
    "Recommendation",
    "Resourcing",
    "Robustness",
    "RuleChange",
    "RuleFileError",
    "RuleInPlay",
    "RuleLocation",
    "RuleProblem",
    "RuleSet",
    "RulesDiff",
    "Scope",
    "SurveyRow",
    "TeamMember",
    "TeamRecommendation",
    "TimeSpan",
    "Transition",
    "UnmetRule",
    "WhatIf",
    "WhyNot",
    "__version__",
    "diff_rules",
    "durable_available",
    "load_rules",
    "recommend",
    "recommend_frame",
    "recommend_many",
    "recommend_team",
    "shipped_rules_dir",
    "survey",
]
