// Before/after in one run: the eigensolver of a given commit against the working tree's, alternating on
// the same matrices, beside numpy eigh (default threads) timed between them.
// Run: node --conditions=@mamba-cl/source --import tsx packages/nullspace/bench/eigen_ab.ts <commit> [n] [rounds]
// Env: EIGEN_SPECTRA=covariance,rank-n/10,rank-n/100,decaying-k^-2,gaussian (a subset; default all five).
// Matrices: eigenSuiteMatrix (src/perf/eigen_suite_matrix.ts). The commit's sources: at_commit.ts (removed after).
import * as after from '@mamba-cl/nullspace';
import { mulberry32, randn } from '../src/internal/random.js';
import { type EigenSuiteSpectrum, eigenSuiteMatrix, SUITE_SPECTRA } from '../src/perf/eigen_suite_matrix.js';
import { timeNumpyEigh } from '../src/perf/numpy_eigh.js';
import { importAtCommit } from './at_commit.js';

const [commit, nArg, roundsArg] = process.argv.slice(2);
if (!commit) throw new Error('usage: eigen_ab.ts <commit> [n] [rounds]');
const n = Number(nArg ?? 2048);
const rounds = Number(roundsArg ?? 2);
const { module: before, remove } = await importAtCommit<typeof after>(commit, 'index.ts');
const spectra = (process.env.EIGEN_SPECTRA ?? SUITE_SPECTRA.join(',')).split(',');

const seconds = (f: () => void) => {
  const t = performance.now();
  f();
  return (performance.now() - t) / 1000;
};
const projOpts = { eta: 0.95, threshold: { kind: 'adaptive' }, normalize: 'frobenius' } as const;
// warm-up (kernels compiled, JIT tiered up, helper threads started)
for (const lib of [before, after]) {
  const rng = mulberry32(1);
  const w = 300;
  const a = new Float64Array(w * w);
  for (let i = 0; i < w; i++)
    for (let j = i; j < w; j++) {
      const v = randn(rng) + (i === j ? 40 : 0);
      a[i * w + j] = v;
      a[j * w + i] = v;
    }
  lib.symmetricEigen(a, w);
  lib.buildProjector(a, w, projOpts);
}
console.log(
  `| matrix (n = ${n}) | before: full (s) | after: full (s) | before: projector (s) | after: projector (s) | numpy eigh (s) | before: full / numpy | after: full / numpy | before: proj / numpy | after: proj / numpy |`,
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const kind of spectra) {
  const a = eigenSuiteMatrix(kind as EigenSuiteSpectrum, n);
  const best = { bf: Infinity, af: Infinity, bp: Infinity, ap: Infinity, np: Infinity };
  for (let r = 0; r < rounds; r++) {
    best.bf = Math.min(
      best.bf,
      seconds(() => before.symmetricEigen(a, n, { vectors: 'all' })),
    );
    best.np = Math.min(
      best.np,
      timeNumpyEigh(new Map([[n, a]]), 1, 'python3', 'default').seconds?.get(n)?.full ?? Infinity,
    );
    best.af = Math.min(
      best.af,
      seconds(() => after.symmetricEigen(a, n, { vectors: 'all' })),
    );
    best.bp = Math.min(
      best.bp,
      seconds(() => before.buildProjector(a, n, projOpts)),
    );
    best.np = Math.min(
      best.np,
      timeNumpyEigh(new Map([[n, a]]), 1, 'python3', 'default').seconds?.get(n)?.full ?? Infinity,
    );
    best.ap = Math.min(
      best.ap,
      seconds(() => after.buildProjector(a, n, projOpts)),
    );
  }
  const f = (x: number) => x.toFixed(2);
  console.log(
    `| ${kind} | ${f(best.bf)} | ${f(best.af)} | ${f(best.bp)} | ${f(best.ap)} | ${f(best.np)} | ${f(best.bf / best.np)} | ${f(best.af / best.np)} | ${f(best.bp / best.np)} | ${f(best.ap / best.np)} |`,
  );
}
remove();
process.exit(0);
