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
    from ._advice.analyse import Analysis as Analysis
    from ._advice.analyse import Report as Report
    from ._advice.analyse import ScoreRange as ScoreRange
    from ._advice.analyse import analyse as analyse
    from ._advice.analyse import report_of as report_of
    from ._advice.batch import (
        BatchItem as BatchItem,
    )
    from ._advice.batch import (
        SurveyRow as SurveyRow,
    )
    from ._advice.batch import (
        recommend_frame as recommend_frame,
    )
    from ._advice.batch import (
        recommend_many as recommend_many,
    )
    from ._advice.batch import (
        settled_all as settled_all,
    )
    from ._advice.batch import (
        survey as survey,
    )
    from ._advice.checklist import PlanningQuestion as PlanningQuestion
    from ._advice.confidence import Confidence as Confidence
    from ._advice.confidence import OutcomeShare as OutcomeShare
    from ._advice.confidence import StopCheck as StopCheck
    from ._advice.confidence import confidence as confidence
    from ._advice.confidence import interview_stop as interview_stop
    from ._advice.considerations import AdviceReason as AdviceReason
    from ._advice.considerations import Consideration as Consideration
    from ._advice.counterfactual import Change as Change
    from ._advice.counterfactual import PathTo as PathTo
    from ._advice.counterfactual import WhatIf as WhatIf
    from ._advice.pairing import rules_for as rules_for
    from ._advice.questions import Fit as Fit
    from ._advice.questions import Question as Question
    from ._advice.robustness import Robustness as Robustness
    from ._advice.rulesdiff import (
        CaseChange as CaseChange,
    )
    from ._advice.rulesdiff import (
        FiringChange as FiringChange,
    )
    from ._advice.rulesdiff import (
        RuleChange as RuleChange,
    )
    from ._advice.rulesdiff import (
        RuleInPlay as RuleInPlay,
    )
    from ._advice.rulesdiff import (
        RulesDiff as RulesDiff,
    )
    from ._advice.rulesdiff import (
        Transition as Transition,
    )
    from ._advice.rulesdiff import (
        diff_rules as diff_rules,
    )
    from ._advice.team import (
        Disagreement as Disagreement,
    )
    from ._advice.team import (
        MemberView as MemberView,
    )
    from ._advice.team import (
        ProposedValue as ProposedValue,
    )
    from ._advice.team import (
        TeamMember as TeamMember,
    )
    from ._advice.team import (
        TeamRecommendation as TeamRecommendation,
    )
    from ._advice.team import (
        recommend_team as recommend_team,
    )
    from ._advice.whynot import UnmetRule as UnmetRule
    from ._advice.whynot import WhyNot as WhyNot
    from ._engines.choose import EngineChoice as EngineChoice
    from ._engines.choose import durable_available as durable_available
    from ._errors import (
        CollabAdvisorError as CollabAdvisorError,
    )
    from ._errors import (
        ContextError as ContextError,
    )
    from ._errors import (
        ContextProblem as ContextProblem,
    )
    from ._errors import (
        EngineError as EngineError,
    )
    from ._errors import (
        EngineUnavailableError as EngineUnavailableError,
    )
    from ._errors import (
        RuleFileError as RuleFileError,
    )
    from ._errors import (
        RuleProblem as RuleProblem,
    )
    from ._errors import (
        RulesMismatchError as RulesMismatchError,
    )
    from ._errors import (
        UnknownEngineError as UnknownEngineError,
    )
    from ._model.context import (
        AgendaSetBy as AgendaSetBy,
    )
    from ._model.context import (
        Aim as Aim,
    )
    from ._model.context import (
        Approach as Approach,
    )
    from ._model.context import (
        ClinicalFocus as ClinicalFocus,
    )
    from ._model.context import (
        Context as Context,
    )
    from ._model.context import (
        Control as Control,
    )
    from ._model.context import (
        EnablingSupport as EnablingSupport,
    )
    from ._model.context import (
        Evidence as Evidence,
    )
    from ._model.context import (
        Formality as Formality,
    )
    from ._model.context import (
        GeographicReach as GeographicReach,
    )
    from ._model.context import (
        ImprovementFocus as ImprovementFocus,
    )
    from ._model.context import (
        Leadership as Leadership,
    )
    from ._model.context import (
        Origin as Origin,
    )
    from ._model.context import (
        PatientInvolvement as PatientInvolvement,
    )
    from ._model.context import (
        Professions as Professions,
    )
    from ._model.context import (
        Resourcing as Resourcing,
    )
    from ._model.context import (
        Scope as Scope,
    )
    from ._model.context import (
        TimeSpan as TimeSpan,
    )
    from ._present.notebook import Advice as Advice
    from ._present.notebook import explain as explain
    from ._present.notebook import path_to as path_to
    from ._present.notebook import recommend as recommend
    from ._present.notebook import to_html as to_html
    from ._present.notebook import to_markdown as to_markdown
    from ._present.notebook import what_if as what_if
    from ._present.notebook import why_not as why_not
    from ._result.record import (
        FeatureCount as FeatureCount,
    )
    from ._result.record import (
        FindingTrace as FindingTrace,
    )
    from ._result.record import (
        Inference as Inference,
    )
    from ._result.record import (
        RankedApproach as RankedApproach,
    )
    from ._result.record import (
        Reason as Reason,
    )
    from ._result.record import (
        Recommendation as Recommendation,
    )
    from ._result.record import (
        RuleReference as RuleReference,
    )
    from ._result.record import (
        TieBreak as TieBreak,
    )
    from ._rulebook.format import ConsiderationKind as ConsiderationKind
    from ._rulebook.loader import load_rules as load_rules
    from ._rulebook.loader import shipped_rules_dir as shipped_rules_dir
    from ._rulebook.ruleset import RuleLocation as RuleLocation
    from ._rulebook.ruleset import RuleSet as RuleSet
    from ._workspace.models import DecisionInput as DecisionInput
    from ._workspace.models import RateLimited as RateLimited
    from ._workspace.models import RoundClosed as RoundClosed
    from ._workspace.models import RoundStillOpen as RoundStillOpen
    from ._workspace.models import SaveConflict as SaveConflict
    from ._workspace.models import WorkspaceNotFound as WorkspaceNotFound
    from ._workspace.record import RecordError as RecordError
    from ._workspace.record import Replay as Replay
    from ._workspace.record import SignedRecord as SignedRecord
    from ._workspace.record import read_record as read_record
    from ._workspace.record import replay_record as replay_record
    from ._workspace.store import WorkspaceStore as WorkspaceStore

# Each public name and the private module that defines it ("module:name" where the
# module calls it otherwise); ``__all__`` is derived from this one list.
# A name is imported the first
# time it is asked for (``from collab_advisor import recommend`` or an attribute), so
# that ``import collab_advisor`` costs next to nothing: numpy, PyYAML, the rule format's
# models and the analyses load only when a call needs them.
_PUBLIC: dict[str, str] = {
    "Advice": "._present.notebook",
    "AdviceReason": "._advice.considerations",
    "AgendaSetBy": "._model.context",
    "Aim": "._model.context",
    "Analysis": "._advice.analyse",
    "Approach": "._model.context",
    "BatchItem": "._advice.batch",
    "CaseChange": "._advice.rulesdiff",
    "Change": "._advice.counterfactual",
    "ClinicalFocus": "._model.context",
    "CollabAdvisorError": "._errors",
    "Confidence": "._advice.confidence",
    "ContextError": "._errors",
    "ContextProblem": "._errors",
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
    "FeatureCount": "._result.record",
    "FindingTrace": "._result.record",
    "FiringChange": "._advice.rulesdiff",
    "Fit": "._advice.questions",
    "Formality": "._model.context",
    "GeographicReach": "._model.context",
    "ImprovementFocus": "._model.context",
    "Inference": "._result.record",
    "Leadership": "._model.context",
    "MemberView": "._advice.team",
    "Origin": "._model.context",
    "OutcomeShare": "._advice.confidence",
    "PathTo": "._advice.counterfactual",
    "PatientInvolvement": "._model.context",
    "PlanningQuestion": "._advice.checklist",
    "Professions": "._model.context",
    "ProposedValue": "._advice.team",
    "Question": "._advice.questions",
    "RankedApproach": "._result.record",
    "Reason": "._result.record",
    "Recommendation": "._result.record",
    "Report": "._advice.analyse",
    "Resourcing": "._model.context",
    "Robustness": "._advice.robustness",
    "RuleChange": "._advice.rulesdiff",
    "RuleFileError": "._errors",
    "RuleInPlay": "._advice.rulesdiff",
    "RuleLocation": "._rulebook.ruleset",
    "RuleProblem": "._errors",
    "RuleReference": "._result.record",
    "RuleSet": "._rulebook.ruleset",
    "RulesDiff": "._advice.rulesdiff",
    "RulesMismatchError": "._errors",
    "Scope": "._model.context",
    "ScoreRange": "._advice.analyse",
    "StopCheck": "._advice.confidence",
    "SurveyRow": "._advice.batch",
    "TeamMember": "._advice.team",
    "TieBreak": "._result.record",
    "TeamRecommendation": "._advice.team",
    "TimeSpan": "._model.context",
    "Transition": "._advice.rulesdiff",
    "UnknownEngineError": "._errors",
    "UnmetRule": "._advice.whynot",
    "WhatIf": "._advice.counterfactual",
    "WhyNot": "._advice.whynot",
    "analyse": "._advice.analyse",
    "confidence": "._advice.confidence",
    "diff_rules": "._advice.rulesdiff",
    "durable_available": "._engines.choose",
    "explain": "._present.notebook",
    "interview_stop": "._advice.confidence",
    "load_rules": "._rulebook.loader",
    "path_to": "._present.notebook",
    "recommend": "._present.notebook",
    "recommend_frame": "._advice.batch",
    "recommend_many": "._advice.batch",
    "recommend_team": "._advice.team",
    "report_of": "._advice.analyse",
    "rules_for": "._advice.pairing",
    "settled_all": "._advice.batch",
    "shipped_rules_dir": "._rulebook.loader",
    "survey": "._advice.batch",
    "to_html": "._present.notebook",
    "to_markdown": "._present.notebook",
    "what_if": "._present.notebook",
    "why_not": "._present.notebook",
    # Team workspaces (the 'workspaces' extra).
    "DecisionInput": "._workspace.models",
    "RateLimited": "._workspace.models",
    "RecordError": "._workspace.record",
    "Replay": "._workspace.record",
    "RoundClosed": "._workspace.models",
    "RoundStillOpen": "._workspace.models",
    "SaveConflict": "._workspace.models",
    "SignedRecord": "._workspace.record",
    "WorkspaceNotFound": "._workspace.models",
    "WorkspaceStore": "._workspace.store",
    "read_record": "._workspace.record",
    "replay_record": "._workspace.record",
}


__version__: str


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
    where = _PUBLIC.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = where.partition(":")
    value = getattr(import_module(module, __name__), attribute or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = sorted([*_PUBLIC, "__version__"])
