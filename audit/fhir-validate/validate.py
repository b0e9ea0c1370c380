#!/usr/bin/env python3
"""Validate FHIR R5 JSON resources with the independent `fhir.resources` models.

Usage: validate.py FILE... (`-` reads stdin)

Each input is one JSON resource, a JSON array of resources, or NDJSON (one resource per line).
A Bundle is validated as a whole, which validates its entries. For every resource it prints
`ok <resourceType>/<id>` or `INVALID <resourceType>/<id>: <errors>` (`-` for a missing id).
Besides the models it checks the R5 JSON rules they let pass (no null, empty string, empty array
or empty object, no id longer than the 64 characters R5 allows: the models accept 255).

Exit status: 0 all valid, 1 some resource invalid or no resource at all, 2 an input that cannot be
read or is not JSON (or a `fhir.resources` that is not R5).

Set up: python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
"""

import json
import sys

# R5 `id`: [A-Za-z0-9\-\.]{1,64}. fhir.resources allows 255 characters, so the length is checked here.
R5_ID_MAX = 64


def load_models():
    """The model lookup of fhir.resources, refusing any release that is not FHIR R5."""
    try:
        import fhir.resources
        from fhir.resources import get_fhir_model_class
        from pydantic import ValidationError
    except ImportError as error:
        sys.exit(f"validate.py: {error}; install the pinned packages: pip install -r requirements.txt")
    version = getattr(fhir.resources, "__fhir_version__", "")
    if not version.startswith("5."):
        print(
            f"validate.py: fhir.resources {getattr(fhir.resources, '__version__', '?')} models FHIR "
            f"{version or 'unknown'}, not R5 (5.x); install fhir.resources 8.x",
            file=sys.stderr,
        )
        sys.exit(2)
    return get_fhir_model_class, ValidationError


class Unreadable(Exception):
    """An input that cannot be read, or that is not JSON / NDJSON."""


def read(name):
    """The text of a file, or of stdin for `-`."""
    try:
        if name == "-":
            return sys.stdin.read()
        with open(name, encoding="utf-8") as file:
            return file.read()
    except (OSError, UnicodeDecodeError) as error:
        raise Unreadable(f"{name}: {error}") from error


def resources(name, text):
    """The JSON values an input holds: one resource, an array of them, or one per line."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as whole_error:
        values = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                values.append(json.loads(line))
            except json.JSONDecodeError as error:
                # One line that is not JSON: the input is neither JSON nor NDJSON.
                where = f"line {number}" if len(values) or number > 1 else f"{whole_error}"
                raise Unreadable(f"{name}: not JSON or NDJSON ({where}: {error.msg})") from error
        return values
    return value if isinstance(value, list) else [value]


def label(resource):
    """`<resourceType>/<id>` for the report."""
    if not isinstance(resource, dict):
        return f"?/- ({type(resource).__name__}, not a JSON object)"
    resource_type = resource.get("resourceType")
    resource_id = resource.get("id")
    return f"{resource_type if isinstance(resource_type, str) else '?'}/{resource_id if resource_id else '-'}"


def describe(error, validation_error):
    """The errors of a failed validation, on one line."""
    if isinstance(error, validation_error):
        parts = []
        for item in error.errors():
            location = ".".join(str(step) for step in item.get("loc", ())) or "(resource)"
            parts.append(f"{location}: {item.get('msg', '')}")
        return "; ".join(parts)
    return f"{type(error).__name__}: {error}".replace("\n", " ")


def id_errors(value, path=""):
    """What fhir.resources lets pass but R5 does not: ids longer than 64 characters."""
    if isinstance(value, dict):
        resource_id = value.get("id")
        if "resourceType" in value and isinstance(resource_id, str) and len(resource_id) > R5_ID_MAX:
            where = f"{path}.id" if path else "id"
            yield f"{where} has {len(resource_id)} characters, R5 allows {R5_ID_MAX}"
        for key, item in value.items():
            yield from id_errors(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from id_errors(item, f"{path}[{index}]")


def json_errors(value, path=""):
    """R5 JSON format rules the models let pass: no null, "", [] or {} anywhere."""
    where = path or "(resource)"
    if value is None:
        yield f"{where}: null is not allowed in FHIR JSON"
    elif value in ("", [], {}):
        yield f"{where}: empty {type(value).__name__} is not allowed in FHIR JSON"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from json_errors(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_errors(item, f"{path}[{index}]")


def validate(resource, get_model, validation_error):
    """None if `resource` is a valid R5 resource, else why not."""
    if not isinstance(resource, dict):
        return "not a JSON object"
    resource_type = resource.get("resourceType")
    if not isinstance(resource_type, str) or not resource_type:
        return "no resourceType"
    try:
        model = get_model(resource_type)
    except (ValueError, KeyError):
        return f"{resource_type!r} is not an R5 resource type"
    problems = []
    try:
        model.model_validate(resource)
    except Exception as error:  # noqa: BLE001 - any failure of the model is a finding
        problems.append(describe(error, validation_error))
    problems.extend(json_errors(resource))
    problems.extend(id_errors(resource))
    return "; ".join(problems) if problems else None


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    get_model, validation_error = load_models()
    seen = invalid = 0
    for name in argv[1:]:
        try:
            values = resources(name, read(name))
        except Unreadable as error:
            print(f"validate.py: {error}", file=sys.stderr)
            return 2
        for resource in values:
            seen += 1
            problem = validate(resource, get_model, validation_error)
            if problem is None:
                print(f"ok {label(resource)}")
            else:
                invalid += 1
                print(f"INVALID {label(resource)}: {problem}")
    if seen == 0:
        print("validate.py: no resource in the input", file=sys.stderr)
        return 1
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
