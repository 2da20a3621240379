"""The rule catalogue for reviewers: current, complete and in plain words."""

from __future__ import annotations

from collab_advisor import Approach, RuleSet
from collab_advisor._rulebook.catalogue import describe_condition, rule_catalogue
from collab_advisor._rulebook.format import Rule

from .conftest import ROOT


def test_the_committed_catalogue_is_current(shipped: RuleSet) -> None:
    """docs/rules.md is regenerated whenever the rules change."""
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rule_catalogue(shipped), "run: python scripts/rule_catalogue.py"


def test_every_rule_and_every_approach_appears(shipped: RuleSet) -> None:
    """Each running rule is listed by id, and each approach has its own section with its
    defining features."""
    text = rule_catalogue(shipped)
    for rule in shipped.active:
        assert f"`{rule.id}`" in text, rule.id
    for approach in Approach:
        section = text.split(f"## {approach.display_name}\n", 1)[1].split("\n## ", 1)[0]
        assert "### Defining features" in section
        assert "### Rules that score it" in section


def test_conditions_read_as_plain_words(shipped: RuleSet) -> None:
    """Conditions show field labels and value words, never YAML keys or snake_case values."""
    rule = Rule.model_validate({
        "id": "example", "title": "An example rule", "status": "stable",
        "when": {"any": [{"field": "time_span", "equals": "fixed_term"},
                         {"all": [{"field": "sites", "gte": 12},
                                  {"field": "aim", "in": ["share_know_how",
                                                          "redesign_services"]}]}]},
        "concludes": "crosses-boundaries", "source": [{"guidance": "Definitions"}]})
    assert describe_condition(rule.when, shipped) == (
        "either time span is fixed term or (sites is at least 12 and aim is share know how "
        "or redesign services)")


def test_declared_defining_features_are_listed_in_words(shipped: RuleSet) -> None:
    """A rule set that declares defining features shows each, in words, under its approach."""
    from types import SimpleNamespace

    from collab_advisor._rulebook.catalogue import defining_features
    from collab_advisor._rulebook.format import FieldTest

    feature = SimpleNamespace(
        approach=Approach.QI_COLLABORATIVE, text="Runs for a set period",
        when=FieldTest.model_validate({"field": "time_span", "equals": "fixed_term"}),
        source=None)
    declaring = SimpleNamespace(defining_features=(feature,))
    assert defining_features(declaring, Approach.QI_COLLABORATIVE) == [  # type: ignore[arg-type]
        "Runs for a set period holds when time span is fixed term"]
    assert defining_features(declaring, Approach.CLINICAL_COMMUNITY) == []  # type: ignore[arg-type]
    declares = bool(getattr(shipped, "defining_features", None))
    assert (defining_features(shipped, Approach.QI_COLLABORATIVE) is None) is not declares
