"""The JSON Schema of brief format v1, generated from the model, for editors and the docs.

Editors that speak the YAML language server validate and complete a brief that begins
with ``# yaml-language-server: $schema=...`` pointing at the schema file kept in the
repository (``schema/brief-v1.schema.json``, tested to be current).
"""

from __future__ import annotations

import json
from typing import Any

from briefgen.model.brief import Brief

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = "schema/brief-v1.schema.json"


def brief_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of brief format v1, descriptions included."""
    schema = Brief.model_json_schema(mode="validation")
    return {"$schema": SCHEMA_DIALECT, **schema, "title": "briefgen brief, format v1"}


def brief_schema_text() -> str:
    """:func:`brief_schema` as the text of the schema file."""
    return json.dumps(brief_schema(), indent=2, ensure_ascii=False) + "\n"
