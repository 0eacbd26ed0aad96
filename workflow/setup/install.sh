#!/usr/bin/env bash
# Install what tumorboard needs on a Debian/Ubuntu machine, idempotently:
#   Debian packages for the command-line tools, and a .venv with the pinned Python packages.
# Usage: workflow/setup/install.sh [--tests]   (--tests adds what `make test` needs)
set -euo pipefail
cd "$(dirname "$0")/../.."

APT_PACKAGES=(bwa samtools bcftools tabix fastp mosdepth libhts-dev art-nextgen-simulation-tools
              python3-venv
              libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils chromium)
STAMP_DIR=.venv/.stamps

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "tumorboard: missing Debian packages: ${missing[*]} -- ask an administrator to run:" >&2
    echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
mkdir -p "$STAMP_DIR"
lock_sum=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [[ ! -f $STAMP_DIR/python-$lock_sum ]]; then
  echo "installing Python packages (requirements.lock)"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
  rm -f "$STAMP_DIR"/python-*
  touch "$STAMP_DIR/python-$lock_sum"
fi
