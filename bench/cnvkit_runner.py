"""Run a list of CNVkit command lines in one process (the interpreter that has ``cnvlib``).

    /usr/bin/python3 bench/cnvkit_runner.py steps.json timings.json

``steps.json``: a list of ``[label, [argv...]]``, each argv exactly what would follow
``cnvkit.py`` on the command line.  Every step goes through CNVkit's own command-line parser and
command function (``cnvlib.commands.parse_args(argv).func(args)``, what ``cnvkit.py`` runs), only
without a fresh interpreter per step (CNVkit takes ~1.3 s to import).  Writes the wall time of
each step to ``timings.json``.  Used by bench/cnv.py; it must not import the project (it runs
under the system Python of the Debian ``cnvkit`` package).
"""

import json
import logging
import sys
import time
import warnings


def main() -> None:
    steps_path, timings_path = sys.argv[1], sys.argv[2]
    warnings.simplefilter("ignore", FutureWarning)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    t0 = time.time()
    from cnvlib import commands  # noqa: PLC0415 (timed: the import is part of CNVkit's cost)

    timings = [["import", time.time() - t0]]
    with open(steps_path) as fh:
        steps = json.load(fh)
    for label, argv in steps:
        start = time.time()
        args = commands.parse_args(argv)
        args.func(args)
        timings.append([label, time.time() - start])
    with open(timings_path, "w") as fh:
        json.dump(timings, fh)


if __name__ == "__main__":
    main()
