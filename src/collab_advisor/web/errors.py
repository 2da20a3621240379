"""The shape of every error the HTTP API sends, as the OpenAPI document declares it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorAnswer(BaseModel):
    """An error: what is wrong in words, and the problems one by one."""

    message: str = Field(description="What is wrong, in words (each bad field named, with "
                         "what it allows).")
    detail: list[dict[str, Any]] | str = Field(
        description="For 422, one object per problem (``loc``, ``msg``, ``type``; the list "
        "may be empty when the message says it all); otherwise the error's short name.")


API_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorAnswer, "description": "The body is not JSON the server can read "
          "(for example a number with thousands of digits, or nesting thousands deep)."},
    413: {"model": ErrorAnswer, "description": "The body is larger than the limit."},
    422: {"model": ErrorAnswer, "description": "A field is missing, unknown, or has a value "
          "it does not allow: the message names each, with the values allowed."},
}
"""The errors every API endpoint may give, for the OpenAPI document."""

WORKSPACE_ERRORS: dict[int | str, dict[str, Any]] = {
    **API_ERRORS,
    404: {"model": ErrorAnswer, "description": "No such workspace or link: a guessed, stale "
          "or wrong-kind token gets the same answer as an address that does not exist."},
}
"""The errors every workspace endpoint may give."""
