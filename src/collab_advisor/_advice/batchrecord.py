"""The record ``collab-advisor batch`` writes for each row of JSON Lines output, with its
published JSON Schema (``collab-advisor schema --batch``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from .._model.context import Approach
from .._result.record import RESULT_SCHEMA_VERSION


class _BatchRecordBase(BaseModel):
    """One row of batch output: the row's advice, or its error. Columns carried from the
    input (an ``id``, say) come after ``row`` under their own names."""

    model_config = ConfigDict(extra="allow", title="BatchRecord")

    schema_version: int = Field(default=RESULT_SCHEMA_VERSION,
                                description="The result schema version.")
    row: int = Field(description="The row's number in the input (the header is row 1).")
    name: str | None = Field(default=None, description="The context's name, if it has one.")
    top: Approach | None = Field(
        default=None, description="The first entry of the ranking: the approach first alone, "
        "or on a tie that stands the first of tied_for_first in the fixed order (a way of "
        "listing, never a preference).")
    top_name: str | None = Field(default=None, description="Its name in plain words.")
    settled: bool | None = Field(
        default=None, description="Whether no answer to the open fields could change "
        "first place, under these rules.")
    rules_fired: str | None = Field(default=None,
                                    description="The scoring rules that fired, by id.")
    tied_for_first: str | None = Field(
        default=None, description="Every approach first after the stated tie-break, "
        "space-separated: several on a tie.")
    tie_break: str | None = Field(
        default=None, description="'decided' when the stated tie-break separated approaches "
        "level on points at the top, 'tie stands' when it did not; absent when one approach "
        "had the top score alone.")
    error: str | None = Field(default=None,
                              description="Why the row could not be read (no advice then).")


_SCORES: dict[str, Any] = {
    f"score_{approach.value}": (int | None, Field(
        default=None, description=f"The score of {approach.display_name}."))
    for approach in Approach}
BatchRecord: type[_BatchRecordBase] = create_model(
    "BatchRecord", __base__=_BatchRecordBase, __doc__=_BatchRecordBase.__doc__, **_SCORES)
"""A batch row, with one score column per approach (``score_<approach>``)."""


def batch_record_schema() -> dict[str, Any]:
    """The JSON Schema of a batch JSON Lines row."""
    return BatchRecord.model_json_schema()
