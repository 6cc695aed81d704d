// Eigensolver benchmark suite beside numpy (default threads and single-threaded).
// Run: node --conditions=@mamba-cl/source --import tsx packages/nullspace/bench/eigen.ts [sizes...]
// Env: EIGEN_SPECTRA=gaussian,covariance,rank-n/10,rank-n/100,decaying-k^-2 (a subset; 'none': only the saved ones), EIGEN_BEFORE_UP_TO=n,
// EIGEN_ACCURACY_UP_TO=n, EIGEN_FEATURE_COV=file.f64 (a saved feature covariance, float64 little-endian n×n;
// default: the two of fixtures/, also with EIGEN_SPECTRA; 'none' to skip them).
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type EigenSpectrum, runEigenPerf, SUITE_SPECTRA } from '@mamba-cl/nullspace/perf';
import { printReports } from './print_reports.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const builtin: EigenSpectrum[] = [...SUITE_SPECTRA];
let spectra = (process.env.EIGEN_SPECTRA === 'none' ? [] : process.env.EIGEN_SPECTRA?.split(',')) as
  | EigenSpectrum[]
  | undefined;
// real feature covariances of the default run (scripts/save_feature_covariances.sh), or EIGEN_FEATURE_COV
const fixtures = new URL('../fixtures/', import.meta.url);
const featureFiles = process.env.EIGEN_FEATURE_COV
  ? process.env.EIGEN_FEATURE_COV === 'none'
    ? []
    : process.env.EIGEN_FEATURE_COV.split(',')
  : ['feature_cov_block0_x.f64', 'feature_cov_block0_A.f64']
      .map((f) => new URL(f, fixtures).pathname)
      .filter((f) => existsSync(f));
for (const featureFile of featureFiles) {
  const bytes = readFileSync(featureFile);
  const matrix = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const n = Math.round(Math.sqrt(matrix.length));
  if (n * n !== matrix.length)
    throw new Error(`${featureFile}: ${matrix.length} float64 values, expected n×n`);
  spectra = [...(spectra ?? builtin), { name: `feature covariance (${basename(featureFile)})`, matrix, n }];
}
const before = process.env.EIGEN_BEFORE_UP_TO;
const accuracyUpTo = process.env.EIGEN_ACCURACY_UP_TO;
printReports(
  await runEigenPerf({
    ...(sizes.length ? { sizes } : {}),
    ...(spectra ? { spectra } : {}),
    ...(before ? { beforeUpTo: Number(before) } : {}),
    ...(accuracyUpTo ? { accuracyUpTo: Number(accuracyUpTo) } : {}),
    onRow: (row) => console.error(JSON.stringify(row)),
  }),
);
