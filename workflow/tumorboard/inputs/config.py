"""The run's configuration, checked against ``schemas/config.schema.yaml`` (package data), which
holds the default and the meaning of every key.  Every object of the schema is closed, so a
misspelt key is refused; each problem is reported as one line naming the key."""

from __future__ import annotations

import difflib
from importlib.resources import files
from typing import Any

import jsonschema
import yaml

SCHEMA = files("tumorboard") / "schemas" / "config.schema.yaml"


class ConfigError(Exception):
    """The configuration has an unknown or invalid key; the message is one line."""


def schema() -> dict:
    with SCHEMA.open() as fh:
        return yaml.safe_load(fh)


def _with_defaults(validator_class):
    """A validator that fills in every missing key's default as it validates (as Snakemake's
    ``validate``; https://python-jsonschema.readthedocs.io/en/latest/faq/)."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, subschema):
        if isinstance(instance, dict):
            for key, sub in properties.items():
                if "default" in sub:
                    instance.setdefault(key, sub["default"])
        yield from validate_properties(validator, properties, instance, subschema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


def _key(path) -> str:
    return ".".join(str(p) for p in path)


def explain(err: jsonschema.ValidationError) -> str:
    """One line for a schema error: the key, what is wrong, and what the key means."""
    key = _key(err.absolute_path)
    if err.validator == "additionalProperties":
        known = sorted(err.schema.get("properties", {}))
        unknown = sorted(set(err.instance) - set(known))
        where = f"{key}." if key else ""
        hints, guessed = [], True
        for name in unknown:
            close = difflib.get_close_matches(name, known, n=1)
            guessed = guessed and bool(close)
            guess = f" (did you mean {where}{close[0]}?)" if close else ""
            hints.append(f"{where}{name}{guess}")
        listing = "" if guessed else f"; {key or 'the top level'} has: {', '.join(known)}"
        return f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(hints)}{listing}"
    desc = err.schema.get("description", "") if isinstance(err.schema, dict) else ""
    hint = f" ({key}: {desc})" if desc else ""
    return f"{key or 'config'} = {err.instance!r}: {err.message}{hint}"


def validate(config: dict[str, Any]) -> dict[str, Any]:
    """Check ``config`` against the schema, filling in the defaults of missing keys (in place);
    raise ConfigError naming the first bad key."""
    sch = schema()
    validator = _with_defaults(jsonschema.Draft202012Validator)(sch)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise ConfigError(explain(errors[0]))
    return config
