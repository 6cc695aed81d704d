// Eigensolver benchmark suite beside numpy (default threads and single-threaded).
// Run: node --conditions=@mamba-cl/source --import tsx packages/nullspace/bench/eigen.ts [sizes...]
// Env: EIGEN_SPECTRA=gaussian,covariance,rank-n/10,rank-n/100,decaying-k^-2 (a subset), EIGEN_BEFORE_UP_TO=n.
import { type EigenSpectrum, runEigenPerf } from '@mamba-cl/nullspace/perf';
import { printReports } from './print_reports.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const spectra = process.env.EIGEN_SPECTRA?.split(',') as EigenSpectrum[] | undefined;
const before = process.env.EIGEN_BEFORE_UP_TO;
printReports(
  await runEigenPerf({
    ...(sizes.length ? { sizes } : {}),
    ...(spectra ? { spectra } : {}),
    ...(before ? { beforeUpTo: Number(before) } : {}),
  }),
);
