"""The JSON Schema of ``record.yml``, generated from the ``Record`` model.

``docs/record.schema.json`` is this text; a test keeps the two equal. Regenerate it with
``.venv/bin/python -m pipeline.record.schema > docs/record.schema.json``.
"""

from __future__ import annotations

import json
import sys

from pipeline.record.model import Record

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_text() -> str:
    """The schema as published: stable key order, two-space indents, a final newline."""
    schema = {"$schema": DIALECT, **Record.model_json_schema(mode="validation")}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(schema_text())
