"""collab_advisor: which collaboration-based approach fits an improvement initiative, and why.

Every module is private; this file is the public API.

    >>> from collab_advisor import recommend
    >>> rec = recommend(time_span="fixed_term", aim="close_practice_gap")
    >>> print(rec.explain())  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from ._workspace.models import (
        DecisionInput,
        RateLimited,
        RoundClosed,
        SaveConflict,
        WorkspaceNotFound,
    )
    from ._workspace.record import (
        RecordError,
        Replay,
        SignedRecord,
        read_record,
        replay_record,
    )
    from ._workspace.store import WorkspaceStore

# Each public name and the private module that defines it. A name is imported the first
# time it is asked for (``from collab_advisor import recommend`` or an attribute), so
# that ``import collab_advisor`` costs next to nothing: numpy, PyYAML, the rule format's
# models and the analyses load only when a call needs them.
_PUBLIC: dict[str, str] = {
    "AdviceReason": "._advice.considerations",
    "AgendaSetBy": "._model.context",
    "Aim": "._model.context",
    "Approach": "._model.context",
    "BatchItem": "._advice.batch",
    "CaseChange": "._advice.rulesdiff",
    "Change": "._advice.counterfactual",
    "ClinicalFocus": "._model.context",
    "CollabAdvisorError": "._errors",
    "Consideration": "._advice.considerations",
    "ConsiderationKind": "._rulebook.format",
    "Context": "._model.context",
    "Control": "._model.context",
    "Disagreement": "._advice.team",
    "EnablingSupport": "._model.context",
    "EngineChoice": "._engines.choose",
    "EngineError": "._errors",
    "EngineUnavailableError": "._errors",
    "Evidence": "._model.context",
    "FindingTrace": "._advice.recommend",
    "FiringChange": "._advice.rulesdiff",
    "Fit": "._advice.questions",
    "Formality": "._model.context",
    "GeographicReach": "._model.context",
    "ImprovementFocus": "._model.context",
    "Inference": "._advice.recommend",
    "Leadership": "._model.context",
    "MemberView": "._advice.team",
    "Origin": "._model.context",
    "PathTo": "._advice.counterfactual",
    "PatientInvolvement": "._model.context",
    "PlanningQuestion": "._advice.checklist",
    "Professions": "._model.context",
    "ProposedValue": "._advice.team",
    "Question": "._advice.questions",
    "RankedApproach": "._advice.recommend",
    "Reason": "._advice.recommend",
    "Recommendation": "._advice.recommend",
    "Resourcing": "._model.context",
    "Robustness": "._advice.robustness",
    "RuleChange": "._advice.rulesdiff",
    "RuleFileError": "._errors",
    "RuleInPlay": "._advice.rulesdiff",
    "RuleLocation": "._rulebook.ruleset",
    "RuleProblem": "._errors",
    "RuleSet": "._rulebook.ruleset",
    "RulesDiff": "._advice.rulesdiff",
    "Scope": "._model.context",
    "SurveyRow": "._advice.batch",
    "TeamMember": "._advice.team",
    "TeamRecommendation": "._advice.team",
    "TimeSpan": "._model.context",
    "Transition": "._advice.rulesdiff",
    "UnmetRule": "._advice.whynot",
    "WhatIf": "._advice.counterfactual",
    "WhyNot": "._advice.whynot",
    "diff_rules": "._advice.rulesdiff",
    "durable_available": "._engines.choose",
    "load_rules": "._rulebook.loader",
    "recommend": "._advice.recommend",
    "recommend_frame": "._advice.batch",
    "recommend_many": "._advice.batch",
    "recommend_team": "._advice.team",
    "shipped_rules_dir": "._rulebook.loader",
    "survey": "._advice.batch",
    # Team workspaces (the 'workspaces' extra).
    "DecisionInput": "._workspace.models",
    "RateLimited": "._workspace.models",
    "RecordError": "._workspace.record",
    "Replay": "._workspace.record",
    "RoundClosed": "._workspace.models",
    "SaveConflict": "._workspace.models",
    "SignedRecord": "._workspace.record",
    "WorkspaceNotFound": "._workspace.models",
    "WorkspaceStore": "._workspace.store",
    "read_record": "._workspace.record",
    "replay_record": "._workspace.record",
}

__version__: str


def _load_words() -> object:
    return import_module("._present", __name__)


# Results find their words in the presentation layer, imported when a result is first
# written (the advice layer cannot import the layer above it).
import_module("._advice.presenters", __name__).words_from(_load_words)


def __getattr__(name: str) -> Any:
    """Import a public name on first use; ``__version__`` is read from the installed
    package's metadata on first use only (``importlib.metadata`` costs tens of
    milliseconds)."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("collab-advisor")
        except PackageNotFoundError:  # pragma: no cover - an uninstalled checkout
            found = "0+unknown"
        globals()["__version__"] = found
        return found
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
    "DecisionInput",
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
    "RateLimited",
    "Reason",
    "Recommendation",
    "RecordError",
    "Replay",
    "Resourcing",
    "Robustness",
    "RoundClosed",
    "RuleChange",
    "RuleFileError",
    "RuleInPlay",
    "RuleLocation",
    "RuleProblem",
    "RuleSet",
    "RulesDiff",
    "SaveConflict",
    "Scope",
    "SignedRecord",
    "SurveyRow",
    "TeamMember",
    "TeamRecommendation",
    "TimeSpan",
    "Transition",
    "UnmetRule",
    "WhatIf",
    "WhyNot",
    "WorkspaceNotFound",
    "WorkspaceStore",
    "__version__",
    "diff_rules",
    "durable_available",
    "load_rules",
    "read_record",
    "recommend",
    "recommend_frame",
    "recommend_many",
    "recommend_team",
    "replay_record",
    "shipped_rules_dir",
    "survey",
]
