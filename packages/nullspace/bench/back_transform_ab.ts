// A/B of the back-transform alone: a commit's applyQWasm (default HEAD) against the working tree's,
// interleaved, best of 5, on the reduction of the n = 2048 full-rank covariance of the suite.
// Run: node --conditions=@mamba-cl/source --import tsx packages/nullspace/bench/back_transform_ab.ts [commit] [k,k,…]
import * as after from '../src/eigen/wasm/eigen_wasm.js';
import { eigenSuiteMatrix } from '../src/perf/eigen_suite_matrix.js';
import { importAtCommit } from './at_commit.js';

const { module: before, remove } = await importAtCommit<typeof after>(
  process.argv[2] ?? 'HEAD',
  'eigen/wasm/eigen_wasm.ts',
);
const n = 2048;
const kb = before.eigenKernels()!,
  ka = after.eigenKernels()!;
const a = eigenSuiteMatrix('covariance', n);
const tri = after.tridiagonalizeWasm(ka, a, n, 2);
for (const k of (process.argv[3] ?? '2048,31,205').split(',').map(Number)) {
  const z0 = Float64Array.from({ length: n * k }, (_, i) => Math.sin(i));
  const best = { b: Infinity, a: Infinity };
  let diff = 0;
  for (let r = 0; r < 5; r++) {
    const zb = z0.slice(),
      za = z0.slice();
    let t = performance.now();
    before.applyQWasm(kb, tri, zb, k, 2);
    best.b = Math.min(best.b, performance.now() - t);
    t = performance.now();
    after.applyQWasm(ka, tri, za, k, 2);
    best.a = Math.min(best.a, performance.now() - t);
    for (let i = 0; i < n * k; i++) diff = Math.max(diff, Math.abs(za[i] - zb[i]));
  }
  console.log(
    `k=${k}: before ${best.b.toFixed(0)} ms · after ${best.a.toFixed(0)} ms · ×${(best.b / best.a).toFixed(2)} · max|Δ| ${diff.toExponential(1)}`,
  );
}
remove();
process.exit(0);
