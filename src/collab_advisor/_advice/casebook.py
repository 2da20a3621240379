"""The casebook of published programmes and the advisor's agreement with the literature."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field

from .._model.context import Approach, Context
from .._result.build import recommend
from .._result.record import Recommendation
from .._rulebook.ruleset import RuleSet

_STRICT = ConfigDict(extra="forbid", frozen=True)


class CaseEntry(BaseModel):
    """A published collaboration, its context as its sources describe it, and its class."""

    model_config = _STRICT

    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    name: str
    description: str
    context: Context
    literature: Approach
    """How the cited literature classes the programme."""
    acceptable: tuple[Approach, ...] = ()
    """Other approaches the literature also supports, where it is divided."""
    citations: Annotated[tuple[str, ...], Field(min_length=1)]


class CaseResult(BaseModel):
    """One entry and the advisor's recommendation for it."""

    model_config = ConfigDict(frozen=True)

    entry: CaseEntry
    recommendation: Recommendation

    @property
    def top_agrees(self) -> bool:
        """The literature's approach is first alone (after the stated tie-break); a tie that
        stands is never counted as agreement through the fixed order of approaches."""
        return self.recommendation.tied_for_first == (self.entry.literature,)

    @property
    def acceptable_agrees(self) -> bool:
        """The literature's approach or an acceptable one is first, alone or in a tie that
        the stated tie-break leaves standing."""
        wanted = {self.entry.literature, *self.entry.acceptable}
        return bool(wanted & set(self.recommendation.tied_for_first))


def load_casebook(path: Path) -> tuple[CaseEntry, ...]:
    """Read and validate the casebook (a YAML list of entries). Entries are records of what
    their sources said, kept as written: answers in a spelling since deprecated (``scope:
    regional_or_national``) are read as the library reads them, without the warning."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return tuple(CaseEntry.model_validate(item) for item in raw)


def run_casebook(entries: tuple[CaseEntry, ...], rules: RuleSet | None = None) -> list[CaseResult]:
    """The advisor's recommendation for every entry, with the plain-Python engine."""
    return [CaseResult(entry=e, recommendation=recommend(e.context, rules=rules, engine="python"))
            for e in entries]
