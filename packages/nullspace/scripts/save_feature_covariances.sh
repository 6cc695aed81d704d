#!/usr/bin/env bash
# Saves two real feature covariances of the embedded default run (tiny vision Mamba, dInner = 128) to
# fixtures/: the cumulative Gram of block 0's x taps (W_δ/W_C, a decaying spectrum) and of its Δ taps
# (A_log, numerically rank-deficient: ~87 of 128 eigenvalues below 1e-10 of the largest), after task 1,
# as float64 little-endian 128×128. A short mamba-cl run with the disk store writes them; the first
# run pretrains the tiny model (~10 min on 2 busy cores, cached afterwards). Run from the repo root.
set -euo pipefail
work="$(mktemp -d)"
node --conditions=@mamba-cl/source --import tsx packages/bench/src/cli.ts run default --strategy mamba-cl \
  --limit-tasks 2 --limit-train 40 --epochs 1 --max-steps 1 --seed 2024 \
  --option 'mamba-cl.store="disk"' --option "mamba-cl.storeDir=\"$work/store\"" --out "$work/runs" --no-progress
for src in x A; do
  meta="$work/store/covariances/0.${src}%401.json"
  version="$(node -e "console.log(JSON.parse(require('fs').readFileSync(process.argv[1],'utf8')).version)" "$meta")"
  head -c $((128 * 128 * 8)) "$work/store/covariances/$version/chunk-00000.bin" \
    > "packages/nullspace/fixtures/feature_cov_block0_${src}.f64"
done
rm -rf "$work"
ls -l packages/nullspace/fixtures/feature_cov_block0_*.f64
