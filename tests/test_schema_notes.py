"""The published JSON Schemas describe every field of a result, from the models' docstrings."""

from __future__ import annotations

import json
from typing import Any

import pytest

from collab_advisor import Context, Question, Report, TeamRecommendation
from collab_advisor._present.schema_notes import described_schema, field_notes

from .test_cli import run


def _undescribed(schema: dict[str, Any]) -> list[str]:
    """Every property of the schema and its definitions with no description."""
    models = [(schema.get("title", "root"), schema), *schema.get("$defs", {}).items()]
    return [f"{name}.{prop}" for name, model in models
            for prop, spec in model.get("properties", {}).items()
            if not spec.get("description")]


@pytest.mark.parametrize("flag", ["--report", "--team"])
def test_the_schema_command_describes_every_field_of_a_result(flag: str) -> None:
    """`collab-advisor schema --report` (and --team) gives every property a description, so
    a tool builder reading it knows what 'leader_share' or 'lead_after' holds."""
    schema = json.loads(run("schema", flag).stdout)
    assert _undescribed(schema) == []
    confidence = schema["$defs"]["Confidence"]["properties"]["leader_share"]["description"]
    assert "share of the ways" in confidence


def test_a_description_is_the_field_s_own_docstring_and_a_given_one_is_kept() -> None:
    """The description is the docstring under the field (the nearest class's for an
    inherited field), and a description the model sets itself is not replaced."""
    schema = described_schema(Report)
    question = schema["$defs"]["Question"]["properties"]
    assert question["lead_after"]["description"] == field_notes(Question)["lead_after"]
    reason = schema["$defs"]["Reason"]["properties"]
    assert reason["rule_id"]["description"] == "The rule's id in the rule files."
    context = described_schema(TeamRecommendation)["$defs"]["Context"]["properties"]
    assert context["aim"]["description"] == Context.model_json_schema()["properties"]["aim"][
        "description"]


def test_the_openapi_document_describes_the_result_models() -> None:
    """/openapi.json, which /docs and /redoc render, describes the report's fields too."""
    pytest.importorskip("fastapi", reason="the web extra is not installed")
    from fastapi.testclient import TestClient

    from collab_advisor.web.app import create_app

    client = TestClient(create_app(), base_url="http://127.0.0.1")
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("Analysis", "Confidence", "Question", "Recommendation", "TeamRecommendation"):
        missing = [p for p, spec in schemas[name]["properties"].items()
                   if not spec.get("description")]
        assert missing == [], name
    again = client.get("/openapi.json").json()["components"]["schemas"]
    assert again == schemas
