"""Field descriptions in the published JSON Schemas, from the models' attribute docstrings.

Every result model documents its fields with a docstring under each one. pydantic can
copy those into the schema at class creation (``use_attribute_docstrings``), but that
reads every model's source at import and cost about 110 ms of the command line's
start-up; here they are read only when a schema is asked for (``schema --report``,
``/api/report-schema``, ``/openapi.json``), and kept per class.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
from collections.abc import MutableMapping
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

_NOTES: dict[type, dict[str, str]] = {}
"""Per model class, its fields' docstrings (read once; classes are few and never freed)."""


def field_notes(model: type) -> dict[str, str]:
    """The docstring under each annotated field of ``model`` and of the project's models
    it derives from (the nearest class's wins); empty where the source cannot be read."""
    found = _NOTES.get(model)
    if found is None:
        found = {}
        for klass in reversed(model.__mro__):
            if klass.__module__.startswith("collab_advisor"):
                found.update(_own_notes(klass))
        _NOTES[model] = found
    return found


def _own_notes(klass: type) -> dict[str, str]:
    try:
        source = textwrap.dedent(inspect.getsource(klass))
    except (OSError, TypeError):  # no source (a frozen install): no descriptions
        return {}
    tree = ast.parse(source)
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    notes = {}
    for field, after in itertools.pairwise(body):
        if (isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)
                and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)):
            notes[field.target.id] = inspect.cleandoc(after.value.value)
    return notes


def describe(properties: MutableMapping[str, Any], model: type) -> None:
    """Give each property of ``model``'s schema without a description its docstring."""
    notes = field_notes(model)
    fields = getattr(model, "model_fields", {})
    for name, prop in properties.items():
        attribute = next((attr for attr, f in fields.items() if f.alias == name), name)
        note = notes.get(attribute)
        if note and isinstance(prop, dict) and "description" not in prop:
            prop["description"] = note


class DescribedSchema(GenerateJsonSchema):
    """pydantic's schema generator, each model's fields described by their docstrings."""

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        """The model's schema with its properties described."""
        found = super().model_schema(schema)
        properties = found.get("properties")
        if isinstance(properties, dict):
            describe(properties, schema["cls"])
        return found


def described_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model.model_json_schema()`` with every field's docstring as its description."""
    return model.model_json_schema(schema_generator=DescribedSchema)


def describe_components(components: MutableMapping[str, Any],
                        models: tuple[type[BaseModel], ...]) -> None:
    """In an OpenAPI document's ``components.schemas``, describe the properties of each
    schema named like one of ``models`` or the models they hold."""
    by_name: dict[str, type[BaseModel]] = {}
    for model in models:
        for held in _held_models(model):
            by_name.setdefault(held.__name__, held)
    for name, schema in components.items():
        found = by_name.get(name)
        properties = schema.get("properties") if isinstance(schema, dict) else None
        if found is not None and isinstance(properties, dict):
            describe(properties, found)


def _held_models(model: type[BaseModel]) -> list[type[BaseModel]]:
    """``model`` and every model its fields hold, however deep (each once)."""
    seen: list[type[BaseModel]] = []
    todo: list[Any] = [model]
    while todo:
        item = todo.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item in seen:
                continue
            seen.append(item)
            todo.extend(f.annotation for f in item.model_fields.values())
        else:
            todo.extend(getattr(item, "__args__", ()))
    return seen


__all__ = ["DescribedSchema", "describe_components", "described_schema", "field_notes"]
