"""Loose values that are surely mistakes are refused; friendly spellings still work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from collab_advisor import Context, recommend
from collab_advisor._advice.batch import describe_validation_error
from collab_advisor._model.fields import FIELDS

YES_NO = [name for name, spec in FIELDS.items() if spec.kind == "yes_no"]
COUNTS = [name for name, spec in FIELDS.items() if spec.kind == "count"]


@pytest.mark.parametrize("value", [True, False])
@pytest.mark.parametrize("field", COUNTS)
def test_a_boolean_is_not_a_count(field: str, value: bool) -> None:
    """'sites: true' is refused, naming the field, instead of becoming 1."""
    with pytest.raises(ValidationError) as caught:
        Context.model_validate({field: value})
    message = describe_validation_error(caught.value)
    assert message.startswith(f"{field}: expected a whole number")


@pytest.mark.parametrize("value", [0, 1, 1.0, "0", "1", "on", "maybe"])
@pytest.mark.parametrize("field", YES_NO)
def test_a_number_is_not_a_yes_or_no(field: str, value: Any) -> None:
    """A yes/no field refuses 0, 1 and other non-answers, listing what it takes."""
    with pytest.raises(ValidationError) as caught:
        Context.model_validate({field: value})
    assert f"{field}: expected yes or no (also true or false)" in describe_validation_error(
        caught.value)


@pytest.mark.parametrize(("value", "meaning"), [
    (True, True), (False, False), ("yes", True), ("No", False), (" TRUE ", True),
    ("false", False), ("y", True), ("N", False)])
@pytest.mark.parametrize("field", YES_NO)
def test_friendly_yes_no_spellings_still_work(field: str, value: Any, meaning: bool) -> None:
    """yes/no and true/false, in any case, are read as the answer they spell."""
    assert getattr(Context.model_validate({field: value}), field) is meaning


def test_counts_written_as_text_still_work() -> None:
    """A count typed as text ("4", as in a CSV cell) is still read as a number."""
    assert Context.model_validate({"sites": "4"}).sites == 4
    assert recommend({"sites": "4"}, engine="python") == recommend({"sites": 4},
                                                                    engine="python")


def test_a_context_file_with_sites_true_is_refused(tmp_path: Path) -> None:
    """A YAML context file saying 'sites: true' is an error, not a context with one site."""
    from collab_advisor._rulebook.files import read_context_file

    path = tmp_path / "c.yaml"
    path.write_text("sites: true\nsingle_org_can_solve: 0\n")
    with pytest.raises(ValidationError) as caught:
        Context.model_validate(read_context_file(str(path)))
    message = describe_validation_error(caught.value)
    assert "sites: expected a whole number" in message
    assert "single_org_can_solve: expected yes or no" in message
