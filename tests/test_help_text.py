"""The help text settles the borderline answers of issue 18, point 6, and old spellings load."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from collab_advisor import Context, recommend
from collab_advisor._model.context import GeographicReach, Scope
from collab_advisor._model.fields import FIELDS

ROOT = Path(__file__).resolve().parents[1]

BORDERLINES = {
    # field: words its help text (field or value descriptions) must contain
    "clinical_focus": ["diabetes care", "ADHD care", "newborn care", "foot checks"],
    "control": ["Confidential audit and feedback", "anonymous peer comparison"],
    "scope": ["organisations only", "regional_or_national"],
    "geographic_reach": ["province", "US state", "city", "several countries"],
    "sites": ["individuals", "membership grows", "12 or more"],
    "professions": ["specialties"],
    "agenda_set_by": ["funds the group and also sets its goals"],
    "enabling_support": ["both funds the group and sets its goals"],
}


def _help(field: str) -> str:
    spec = FIELDS[field]
    parts = [spec.description, spec.question]
    if spec.choices is not None:
        parts += [member.description for member in spec.choices]
    return " ".join(parts)


@pytest.mark.parametrize("field", sorted(BORDERLINES))
def test_each_borderline_field_settles_its_case_with_an_example(field: str) -> None:
    """Each listed field's help text names its borderline case and gives an example."""
    text = _help(field)
    for words in BORDERLINES[field]:
        assert words.lower() in text.lower(), (field, words)
    assert "for example" in text.lower() or "(" in text, field


def test_the_glossary_repeats_each_rule() -> None:
    """docs/glossary.md has a section for each borderline field."""
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    for field in BORDERLINES:
        assert f"{field}" in glossary, field


def test_the_old_scope_value_is_read_as_several_organisations_across_a_region() -> None:
    """A saved context with scope regional_or_national still loads, with the same meaning,
    and a DeprecationWarning naming the new values."""
    with pytest.warns(DeprecationWarning, match="multi_organisation.*geographic_reach"):
        old = Context.model_validate({"scope": "regional_or_national"})
    assert old.scope is Scope.MULTI_ORGANISATION
    assert old.geographic_reach is GeographicReach.REGIONAL
    with pytest.warns(DeprecationWarning, match="regional_or_national"):
        kept = Context.model_validate({"scope": "regional_or_national",
                                       "geographic_reach": "international"})
    assert kept.geographic_reach is GeographicReach.INTERNATIONAL
    with pytest.warns(DeprecationWarning, match="Scope.MULTI_ORGANISATION"):
        assert Scope("regional_or_national") is Scope.MULTI_ORGANISATION


def test_the_old_scope_attribute_still_works_with_a_warning() -> None:
    """Scope.REGIONAL_OR_NATIONAL, removed in rules 2.0, works again until 0.3.0: it gives
    multi_organisation and warns, naming the new values."""
    with pytest.warns(DeprecationWarning, match=r"Scope\.MULTI_ORGANISATION.*GeographicReach"):
        member = Scope.REGIONAL_OR_NATIONAL
    assert member is Scope.MULTI_ORGANISATION
    with pytest.raises(AttributeError):
        Scope.NOT_A_SCOPE  # noqa: B018


def test_a_custom_rule_file_with_the_old_scope_value_loads_with_a_warning(
        tmp_path: Path) -> None:
    """An organisation's rule testing scope regional_or_national loads, warning with its
    file and line, and fires for several organisations across at least a region only."""
    from collab_advisor import load_rules, shipped_rules_dir

    ours = tmp_path / "ours.yaml"
    ours.write_text(
        "schema_version: 1\nruleset_version: 1.0.0\nrules:\n"
        "  - id: our-wide-networks\n    title: Wide networks need a hub\n"
        "    status: stable\n    when: {field: scope, equals: regional_or_national}\n"
        "    score:\n      - {approach: managed_clinical_network, points: 2,\n"
        "         why: Our board's own rule.}\n"
        "    source: [{reference: Our board 2025}]\n", encoding="utf-8")
    with pytest.warns(DeprecationWarning, match=r"ours\.yaml:4: 'regional_or_national'"):
        rules = load_rules(shipped_rules_dir(), ours)
    wide = recommend({"scope": "multi_organisation", "geographic_reach": "national"},
                     rules=rules, engine="python")
    near = recommend({"scope": "multi_organisation", "geographic_reach": "local"},
                     rules=rules, engine="python")
    assert "our-wide-networks" in wide.fired_rules
    assert "our-wide-networks" not in near.fired_rules


def test_the_old_scope_value_ranks_as_its_new_spelling() -> None:
    """Old and new spellings of the same plan give the same ranking."""
    with pytest.warns(DeprecationWarning, match="regional_or_national"):
        old = recommend({"scope": "regional_or_national", "aim": "redesign_services"})
    new = recommend({"scope": "multi_organisation", "geographic_reach": "regional",
                         "aim": "redesign_services"})
    assert [(s.approach, s.score) for s in old.ranking] == [
        (s.approach, s.score) for s in new.ranking]


def test_the_schema_lists_old_spellings_as_deprecated_and_the_form_hides_them() -> None:
    """The JSON Schema accepts and marks the old value; the web form does not offer it."""
    schema = Context.model_json_schema()["$defs"]["Scope"]
    assert "regional_or_national" in schema["enum"]
    assert schema["deprecatedValues"] == ["regional_or_national"]
    note = schema["enumDescriptions"][schema["enum"].index("regional_or_national")]
    assert note.startswith("Deprecated")
    from collab_advisor.web.fields import BY_NAME

    offered = [option.value for option in BY_NAME["scope"].options]
    assert offered == ["single_organisation", "multi_organisation"]
    reach = [option.value for option in BY_NAME["geographic_reach"].options]
    assert "international" in reach


def test_the_api_accepts_the_old_spelling_its_schema_lists() -> None:
    """POSTing the deprecated value to the API works, as the schema says it does."""
    from collab_advisor.web.app import create_app

    client = TestClient(create_app())
    with pytest.warns(DeprecationWarning, match="regional_or_national"):
        response = client.post("/api/recommend", json={"scope": "regional_or_national"},
                               headers={"host": "127.0.0.1:8000"})
    assert response.status_code == 200, response.text


def test_a_batch_row_or_flag_with_the_old_scope_value_is_read(tmp_path: Path) -> None:
    """A spreadsheet row or a typed answer with the old scope value is read as its new
    spelling (refused as 'not a valid scope value' before), as saved contexts are."""
    import csv
    import io
    import subprocess
    import sys

    from collab_advisor._cli.values import match_value

    assert match_value("scope", "Regional or national") == "regional_or_national"
    rows = tmp_path / "rows.csv"
    rows.write_text("name,scope,aim,single_org_can_solve\n"
                    "old,regional_or_national,redesign_services,false\n"
                    "new,multi_organisation,redesign_services,false\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "collab_advisor", "batch", str(rows),
                           "--engine", "python", "--format", "csv"],
                          capture_output=True, text=True, timeout=120, check=True)
    old, new = list(csv.DictReader(io.StringIO(done.stdout)))
    assert old["error"] == "" and old["top"] == "managed_clinical_network"
    assert int(old["score_managed_clinical_network"]) >= int(new["score_managed_clinical_network"])
