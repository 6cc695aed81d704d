// Per-kernel profile of one training step of the tiny backbone (+ linear head, Adam) on the webgpu
// backend, from GPU timestamp queries: which kernels take the GPU time. Usage (repository root):
//   node --conditions=@mamba-cl/source --import tsx packages/ssm-core/bench/profile_webgpu_step.ts [--batch 16] [--top 20]
// Dawn is created with `allow_unsafe_apis` so that the adapter exposes timestamp-query (tfjs then
// times every program); without it kernel times read 0 and only counts are meaningful.
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { create, globals } from 'webgpu';
import { currentWebGpuAdapter, formatAdapter, selectBackend } from '../src/backend.js';
import { MODEL_PRESETS, VisionMamba } from '../src/index.js';
import { createClassifierStep } from '../src/perf.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const batch = arg('--batch', 16);
const top = arg('--top', 20);

Object.assign(globalThis, globals);
Object.defineProperty(globalThis, 'navigator', {
  value: { gpu: create(['enable-dawn-features=allow_unsafe_apis']) },
  configurable: true,
  writable: true,
});
process.env.MAMBA_CL_BACKEND = 'webgpu';
await selectBackend('webgpu');
const adapter = currentWebGpuAdapter();
const timestamps =
  (tf.backend() as unknown as { supportTimestampQuery?: boolean }).supportTimestampQuery === true;

const config = MODEL_PRESETS.tiny;
const model = VisionMamba.create(config, { seed: 1 });
const { step } = createClassifierStep(model, batch);
let t = performance.now();
await step();
console.error(`warm-up step (shader compilation): ${(performance.now() - t).toFixed(0)} ms`);
t = performance.now();
await step();
const wallMs = performance.now() - t;
const info = await tf.profile(step);
const byName = new Map<string, { ms: number; count: number }>();
let totalMs = 0;
for (const k of info.kernels) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  const e = byName.get(k.name) ?? { ms: 0, count: 0 };
  e.ms += ms;
  e.count += 1;
  byName.set(k.name, e);
  totalMs += ms;
}
const rows = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms || b[1].count - a[1].count);
console.log(`\n## tiny training step on webgpu, batch ${batch}: kernels by GPU time\n`);
console.log(
  `- adapter: ${adapter === undefined ? 'unknown' : formatAdapter(adapter)}; timestamp-query: ${timestamps}`,
);
console.log(
  `- step wall ${wallMs.toFixed(0)} ms (second step); ${info.kernels.length} kernel calls, ${totalMs.toFixed(1)} ms GPU time in all; load average ${os.loadavg()[0].toFixed(1)}\n`,
);
console.log('| kernel | calls | GPU ms | share |');
console.log('|---|---|---|---|');
for (const [name, e] of rows.slice(0, top)) {
  console.log(
    `| ${name} | ${e.count} | ${e.ms.toFixed(2)} | ${totalMs > 0 ? ((100 * e.ms) / totalMs).toFixed(1) : '?'}% |`,
  );
}
const byCalls = [...byName.entries()].sort((a, b) => b[1].count - a[1].count).slice(0, top);
console.log(`\nmost called: ${byCalls.map(([n, e]) => `${n} ${e.count}`).join(', ')}`);
const heavy = [...info.kernels]
  .filter((k) => typeof k.kernelTimeMs === 'number')
  .sort((a, b) => (b.kernelTimeMs as number) - (a.kernelTimeMs as number))
  .slice(0, 10);
console.log('\nslowest single calls:');
for (const k of heavy)
  console.log(
    `- ${k.name} ${(k.kernelTimeMs as number).toFixed(2)} ms in ${JSON.stringify(k.inputShapes)} out ${JSON.stringify(k.outputShapes)}`,
  );
