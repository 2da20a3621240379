"""collab_advisor: which collaboration-based approach fits an improvement initiative, and why.

Every module is private; this file is the public API.

    >>> from collab_advisor import recommend
    >>> rec = recommend(time_span="fixed_term", aim="close_practice_gap")
    >>> print(rec.explain())  # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

from ._context import (
    AgendaSetBy,
    Aim,
    Approach,
    Context,
    Control,
    Evidence,
    Formality,
    Leadership,
    Origin,
    PatientInvolvement,
    Professions,
    Resourcing,
    Scope,
    TimeSpan,
)
from ._engines import EngineChoice, durable_available
from ._errors import (
    CollabAdvisorError,
    EngineError,
    EngineUnavailableError,
    RuleFileError,
    RuleProblem,
)
from ._loader import load_rules, shipped_rules_dir
from ._recommend import (
    FindingTrace,
    Inference,
    RankedApproach,
    Reason,
    Recommendation,
    recommend,
)
from ._ruleset import RuleLocation, RuleSet

try:
    __version__ = version("collab-advisor")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled checkout
    __version__ = "0+unknown"

__all__ = [
    "AgendaSetBy",
    "Aim",
    "Approach",
    "CollabAdvisorError",
    "Context",
    "Control",
    "EngineChoice",
    "EngineError",
    "EngineUnavailableError",
    "Evidence",
    "FindingTrace",
    "Formality",
    "Inference",
    "Leadership",
    "Origin",
    "PatientInvolvement",
    "Professions",
    "RankedApproach",
    "Reason",
    "Recommendation",
    "Resourcing",
    "RuleFileError",
    "RuleLocation",
    "RuleProblem",
    "RuleSet",
    "Scope",
    "TimeSpan",
    "__version__",
    "durable_available",
    "load_rules",
    "recommend",
    "shipped_rules_dir",
]
