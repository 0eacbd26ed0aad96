"""The ``tumorboard`` command (installed with the package, ``pyproject.toml``
``[project.scripts]``): subcommands that work on a run's results, apart from the workflow.

    tumorboard compare RUN_A RUN_B [--format markdown|tsv|json] [-o FILE]

``python -m tumorboard.compare RUN_A RUN_B`` does the same without the installed script.
"""

from __future__ import annotations

import sys

from tumorboard import compare

COMMANDS = {"compare": compare.main}
USAGE = "usage: tumorboard {compare} ...  (tumorboard compare --help)"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if args else 2
    command = COMMANDS.get(args[0])
    if command is None:
        print(f"tumorboard: unknown command {args[0]!r}; {USAGE}", file=sys.stderr)
        return 2
    return command(args[1:])


if __name__ == "__main__":
    sys.exit(main())
