// Time per phase of symmetricEigen(…, { vectors: 'all' }) at order n on the benchmark spectra:
// reduction, eigenvalues, divide and conquer (with its secular-equation share), back-transform.
// Run: node --conditions=@mamba-cl/source --import tsx packages/nullspace/bench/eigen_phases.ts [n]
// Env: EIGEN_SPECTRA as eigen_ab.ts; EIGEN_DUMP=<dir> also writes each matrix there (raw float64,
// row-major); SECULAR_JS=1 solves the secular equations in TypeScript instead of wasm.
import { writeFileSync } from 'node:fs';
import { symmetricEigen } from '../src/eigen/symmetric_eigen.js';
import { tridiagonalEigenDC } from '../src/eigen/tridiagonal_dc.js';
import { tridiagonalEigenvalues } from '../src/eigen/tridiagonal_eigen.js';
import { defaultThreads } from '../src/eigen/wasm/eigen_pool.js';
import {
  applyQWasm,
  eigenKernels,
  gemmWasm,
  secularWasm,
  tridiagonalizeWasm,
} from '../src/eigen/wasm/eigen_wasm.js';
import { type EigenSuiteSpectrum, eigenSuiteMatrix, SUITE_SPECTRA } from '../src/perf/eigen_suite_matrix.js';

const n = Number(process.argv[2] ?? 2048);
const threads = defaultThreads();
const spectra = (process.env.EIGEN_SPECTRA ?? SUITE_SPECTRA.join(',')).split(',');
const k = eigenKernels();
if (!k) throw new Error('no wasm kernels');

const t = () => performance.now();
// warm-up: compile the kernels and start the worker pool
symmetricEigen(eigenSuiteMatrix('covariance', 300), 300);
for (const kind of spectra) {
  const a = eigenSuiteMatrix(kind as EigenSuiteSpectrum, n);
  if (process.env.EIGEN_DUMP)
    writeFileSync(
      `${process.env.EIGEN_DUMP}/${kind.replace(/[^a-z0-9]/gi, '_')}.f64`,
      new Uint8Array(a.buffer),
    );
  let gemmMs = 0;
  const t0 = t();
  const tri = tridiagonalizeWasm(k, a, n, threads);
  const t1 = t();
  const vals = tridiagonalEigenvalues(tri.d, tri.e);
  const t2 = t();
  const dc = tridiagonalEigenDC(
    tri.d,
    tri.e,
    (m, nn, kk, A, ao, lda, B, bo, ldb, C, co, ldc) => {
      const s = t();
      gemmWasm(k, m, nn, kk, A, ao, lda, B, bo, ldb, C, co, ldc, threads);
      gemmMs += t() - s;
    },
    process.env.SECULAR_JS
      ? undefined
      : (dl, z, rho, lambda, u) => secularWasm(k, dl, z, rho, lambda, u, threads),
  );
  const t3 = t();
  const z = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) z[i * n + j] = dc.vectors[j * n + i];
  const t4 = t();
  applyQWasm(k, tri, z, n, threads);
  const t5 = t();
  void vals;
  console.log(
    `${kind.padEnd(14)} reduce ${(t1 - t0).toFixed(0)} ms · values ${(t2 - t1).toFixed(0)} · dc ${(t3 - t2).toFixed(0)} (gemm ${gemmMs.toFixed(0)}, rest ${(t3 - t2 - gemmMs).toFixed(0)}) · transpose ${(t4 - t3).toFixed(0)} · backtransform ${(t5 - t4).toFixed(0)} · total ${(t5 - t0).toFixed(0)}`,
  );
}
