"""The run's configuration, checked against ``schemas/config.schema.yaml`` (package data), which
holds the default and the meaning of every key.  Every object of the schema is closed, so a
misspelt key is refused; each problem is reported as one line naming the key.

Extra tool arguments (``params.fastp.extra``) are a command-line fragment that reaches a shell:
they are split as a shell would (``shlex``), refused when they hold shell syntax (``;``, ``|``,
``$``, backquotes, redirections, globs ...) or set what the rule itself sets (inputs, outputs,
threads), and passed to the tool re-quoted (``shell_args``), never as raw text."""

from __future__ import annotations

import difflib
import re
import shlex
from importlib.resources import files
from typing import Any

import jsonschema
import yaml

SCHEMA = files("tumorboard") / "schemas" / "config.schema.yaml"


class ConfigError(Exception):
    """The configuration has an unknown or invalid key; the message is one line."""


# Characters with a meaning to the shell (command separators, pipes, redirections, expansions,
# globs, comments, escapes); no fastp option value needs them.
SHELL_SYNTAX = re.compile(r"[;&|<>$`(){}\[\]*?~!#\\\n\r]")
# Options a rule sets itself: given again in ``extra`` they would redirect its inputs or outputs
# or change its thread count (fastp's long and short names).
RULE_OPTIONS = {
    "params.fastp.extra": {
        "--in1", "-i", "--in2", "-I", "--out1", "-o", "--out2", "-O", "--json", "-j",
        "--html", "-h", "--thread", "-w", "--report_title", "-R", "--stdout", "--stdin",
        # bwa mem reads the trimmed pair as two files of pairs: nothing may change what they hold
        "--interleaved_in", "--merge", "-m", "--merged_out", "--include_unmerged",
        "--split", "-s", "--split_by_lines", "-S", "--split_prefix_digits", "-d",
    },
}  # fmt: skip


def extra_args(value: str, key: str) -> list[str]:
    """The arguments of an extra-arguments string, split as a shell would; ConfigError (one
    line naming ``key``) when it does not split, holds shell syntax, or sets an option the rule
    sets itself."""
    if SHELL_SYNTAX.search(value):
        char = SHELL_SYNTAX.search(value).group(0)
        raise ConfigError(
            f"{key} = {value!r}: {char!r} is shell syntax; give plain tool options only "
            "(e.g. '--cut_front --cut_mean_quality 20')"
        )
    try:
        args = shlex.split(value)
    except ValueError as exc:
        raise ConfigError(f"{key} = {value!r}: cannot be split into arguments ({exc})") from None
    for arg in args:
        name = arg.split("=", 1)[0]
        if name in RULE_OPTIONS.get(key, ()):
            raise ConfigError(
                f"{key} = {value!r}: {name} is set by the workflow itself; remove it"
            )
    return args


def shell_args(value: str, key: str) -> str:
    """``value`` checked (``extra_args``) and re-quoted for a shell command line."""
    return shlex.join(extra_args(value, key))


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
    for key in RULE_OPTIONS:
        section, tool, name = key.split(".")
        extra_args(config[section][tool][name], key)
    return config
