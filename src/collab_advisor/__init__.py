"""collab_advisor: which collaboration-based approach fits an improvement initiative, and why.

Every module is private; this file is the public API.

    >>> from collab_advisor import recommend
    >>> rec = recommend(time_span="fixed_term", aim="close_practice_gap")
    >>> print(rec.explain())  # doctest: +SKIP
"""

from typing import Any

from . import _present  # noqa: F401  (registers the words results are written in)
from ._advice.batch import BatchItem, SurveyRow, recommend_frame, recommend_many, survey
from ._advice.checklist import PlanningQuestion
from ._advice.considerations import AdviceReason, Consideration
from ._advice.counterfactual import Change, PathTo, WhatIf
from ._advice.questions import Fit, Question
from ._advice.recommend import (
    FindingTrace,
    Inference,
    RankedApproach,
    Reason,
    Recommendation,
    recommend,
)
from ._advice.robustness import Robustness
from ._advice.rulesdiff import (
    CaseChange,
    FiringChange,
    RuleChange,
    RuleInPlay,
    RulesDiff,
    Transition,
    diff_rules,
)
from ._advice.team import (
    Disagreement,
    MemberView,
    ProposedValue,
    TeamMember,
    TeamRecommendation,
    recommend_team,
)
from ._advice.whynot import UnmetRule, WhyNot
from ._engines.choose import EngineChoice, durable_available
from ._errors import (
    CollabAdvisorError,
    EngineError,
    EngineUnavailableError,
    RuleFileError,
    RuleProblem,
)
from ._model.context import (
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
from ._rulebook.format import ConsiderationKind
from ._rulebook.loader import load_rules, shipped_rules_dir
from ._rulebook.ruleset import RuleLocation, RuleSet

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
