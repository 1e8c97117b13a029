#!/usr/bin/env bash
# Builds the trackscan Python wheel into a venv and runs its pytest suite (including the
# Ray Data pipeline on a local 2-CPU Ray instance). Called from .ci/run; exits non-zero on
# any failure and prints pytest's summary line.
#
# Environment:
#   PYTHON             interpreter for the venv (default: python3; CPython >= 3.9, tested on 3.11)
#   TRACKSCAN_PY_VENV  venv directory (default: $CARGO_TARGET_DIR/py-venv)
#   CARGO_TARGET_DIR   cargo target dir (default: <repo>/target)
#   TRACKSCAN_PY_PROFILE  dev (default: reuses `cargo test --workspace` artifacts in the same
#                      target dir, so only pyo3 and this crate compile) or release
#   PIP_OPTS           extra pip options (e.g. --no-index --find-links DIR for offline runs)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PYTHON:-python3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
VENV=${TRACKSCAN_PY_VENV:-$CARGO_TARGET_DIR/py-venv}
PROFILE=${TRACKSCAN_PY_PROFILE:-dev}
case "$PROFILE" in
    dev) CARGO_PROFILE=(); MATURIN_PROFILE=(); BIN_DIR=debug ;;
    release) CARGO_PROFILE=(--release); MATURIN_PROFILE=(--release); BIN_DIR=release ;;
    *) echo "python/ci.sh: TRACKSCAN_PY_PROFILE must be dev or release" >&2; exit 2 ;;
esac
start=$(date +%s)

# Pinned, verified to install on CPython 3.11 / linux x86_64.
REQS=(maturin==1.16.0 pytest==9.2.0 pyarrow==26.0.1 "ray[data]==2.60.0")

if [ ! -x "$VENV/bin/python" ]; then
    echo "python/ci.sh: creating venv $VENV"
    "$PY" -m venv "$VENV"
fi
# shellcheck disable=SC2086
"$VENV/bin/python" -m pip install -q --disable-pip-version-check ${PIP_OPTS:-} "${REQS[@]}"

echo "python/ci.sh: building the CLI ($PROFILE) for the comparisons"
cargo build -q -p trackscan "${CARGO_PROFILE[@]}" --manifest-path "$ROOT/Cargo.toml"
export TRACKSCAN_BIN="$CARGO_TARGET_DIR/$BIN_DIR/trackscan"

echo "python/ci.sh: building the wheel (maturin develop, $PROFILE)"
VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" \
    "$VENV/bin/maturin" develop "${MATURIN_PROFILE[@]}" --quiet -m "$ROOT/crates/python/Cargo.toml"

echo "python/ci.sh: pytest"
status=0
(cd "$ROOT/crates/python" && RAY_USAGE_STATS_ENABLED=0 \
    "$VENV/bin/python" -m pytest -q -rs -p no:cacheprovider tests) || status=$?

echo "python/ci.sh: finished in $(( $(date +%s) - start ))s (exit $status)"
exit "$status"
