#!/usr/bin/python3
"""Validates a JSON document against a JSON Schema with Debian's python3-jsonschema.

usage: validate_json.py SCHEMA DOCUMENT

Every *.json beside SCHEMA is loaded into the resolver's store under its $id, so the
CycloneDX schemas find spdx.schema.json and jsf-0.82.schema.json offline. `date-time` is
checked here because jsonschema only checks it when an optional package is installed.
Prints one line per error and exits 1 when there are any.
"""
import json
import pathlib
import re
import sys

import jsonschema
import jsonschema._validators


DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _extras_msg(extras):
    # jsonschema 4.10 (Debian 12) sorts the extra items to name them, which raises TypeError
    # when they are objects: CycloneDX's licenseChoice (oneOf: a list of licenses, or a tuple
    # of one expression) hits that for every component with two licenses.
    names = ", ".join(repr(extra) for extra in extras)
    return names, "was" if len(extras) == 1 else "were"


jsonschema._validators.extras_msg = _extras_msg


def main():
    schema_path, document_path = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    schema = json.loads(schema_path.read_text())
    store = {}
    for sibling in schema_path.parent.glob("*.json"):
        try:
            loaded = json.loads(sibling.read_text())
        except ValueError:
            continue
        # draft-04 schemas (SARIF 2.1.0) name themselves with "id" instead of "$id".
        if isinstance(loaded, dict) and ("$id" in loaded or "id" in loaded):
            store[loaded.get("$id") or loaded["id"]] = loaded
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    checker = jsonschema.FormatChecker()
    checker.checks("date-time")(lambda value: not isinstance(value, str) or bool(DATE_TIME.match(value)))
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    validator = cls(schema, resolver=resolver, format_checker=checker)
    document = json.loads(document_path.read_text())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    for error in errors:
        path = "/".join(str(p) for p in error.absolute_path)
        print(f"{document_path.name}: /{path}: {error.message[:300]}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
