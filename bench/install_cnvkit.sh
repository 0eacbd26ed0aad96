#!/usr/bin/env bash
# Bench-only: CNVkit for `make bench-cnv`, from Debian (idempotent).  The project's .venv is not
# touched: bench/cnv.py runs CNVkit under the system Python that the Debian package installs into.
# Why Debian and not PyPI: CNVkit's default segmentation (CBS) calls R's Bioconductor DNAcopy,
# which PyPI cannot provide; Debian ships cnvkit with r-bioc-dnacopy and python3-pomegranate as
# dependencies, at a version fixed by the release (bookworm: 0.9.9-2+b1), installed by the same
# apt step as the project's other tools (workflow/setup/install.sh).
set -euo pipefail
EXPECTED=0.9.9  # the version the benchmark was run with (bookworm); another one is reported
if ! dpkg-query -W -f='${Status}' cnvkit 2>/dev/null | grep -q "install ok installed"; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "bench-cnv: CNVkit is missing -- ask an administrator to run:" >&2
    echo "  apt-get install -y --no-install-recommends cnvkit" >&2
    exit 1
  fi
  echo "installing Debian package cnvkit"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends cnvkit >/dev/null
fi
version=$(/usr/bin/python3 -W ignore -c 'import cnvlib; print(cnvlib.__version__)')
if [[ $version != "$EXPECTED" ]]; then
  echo "bench-cnv: CNVkit $version (the benchmark's results were made with $EXPECTED)" >&2
fi
