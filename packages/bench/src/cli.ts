#!/usr/bin/env node
import { selectBackend } from '@mamba-cl/ssm-core/backend';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Placeholder entry until the benchmark runner lands: reports the backend chosen on this machine
 * and times a small matrix product on it, so `pnpm start` does something real and says what.
 */
async function main(): Promise<void> {
  const choice = await selectBackend();
  console.log(`mamba-cl: backend "${choice.name}" (${choice.source} order)`);
  for (const a of choice.attempts) console.log(`  [${a.name}] ${a.ok ? 'ok' : 'skipped'}: ${a.reason}`);
  const a = tf.randomNormal([256, 256], 0, 1, 'float32', 1);
  const t0 = performance.now();
  const reps = 20;
  for (let i = 0; i < reps; i++) tf.tidy(() => tf.matMul(a, a).dataSync());
  const ms = (performance.now() - t0) / reps;
  console.log(
    `kernel smoke: 256×256 matMul on ${choice.name}: ${ms.toFixed(2)} ms (${((2 * 256 ** 3) / ms / 1e6).toFixed(2)} GFLOP/s)`,
  );
  console.log(
    'The continual-learning benchmark runner is not wired in yet; this run only checked the backend.',
  );
  a.dispose();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
