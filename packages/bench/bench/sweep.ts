/**
 * Sweep overhead and local speed-up, printed (no assertions):
 *  1. the local pool with --parallel 1 and --parallel 2 on the same grid (wall time, speed-up);
 *  2. the BullMQ executor with 2 idle workers: per job, enqueue → processor start (queue latency)
 *     and processor start → the run's first event (child process start: node + CLI + tfjs).
 *
 * Usage (needs Debian's redis-server for part 2):
 *   node --conditions=@mamba-cl/source --import tsx packages/bench/bench/sweep.ts [--runs 4] [--flags "…"]
 * The default grid: the embedded default, finetune, seeds 2024…, on its smoke settings
 * (2 tasks, 10 train / 10 val images per class, 1 epoch); one warm-up run fills the pretraining cache.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { RUN_VALUED_FLAGS } from '../src/cli/run_plan.js';
import { bullmqExecutor } from '../src/sweep/bullmq_executor.js';
import { localExecutor } from '../src/sweep/local_executor.js';
import { defaultJobCommand, runJob } from '../src/sweep/run_job.js';
import { expandSweep } from '../src/sweep/sweep_run.js';
import { findRedisServer, startTestRedis } from '../src/testing_internal/redis_server.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '4' },
    flags: {
      type: 'string',
      default: '--limit-tasks 2 --limit-train 10 --limit-val 10 --epochs 1 --grad-workers 0',
    },
  },
});
const n = Number(values.runs);
const tmp = mkdtempSync(join(os.tmpdir(), 'mcl-sweep-bench-'));
const cacheDir = join(tmp, 'cache');
const passthrough = [...(values.flags as string).split(/\s+/).filter(Boolean), '--cache-dir', cacheDir];
const grid = (seeds: number[]) =>
  expandSweep(
    { benchmarks: ['default'], strategies: ['finetune'], seeds, grid: {}, passthrough },
    () => ({ strategies: [], seeds: [] }),
    RUN_VALUED_FLAGS,
  );
const seeds = Array.from({ length: n }, (_, i) => 2024 + i);
console.log(
  `machine: ${os.cpus().length} cores, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(`grid: default × finetune × ${n} seeds; run flags: ${passthrough.join(' ')}`);

// Warm-up: one run (other seed) builds the cached pretrained backbone, so no timed job pretrains.
const t00 = performance.now();
const warm = await runJob(grid([1])[0], join(tmp, 'warm'));
console.log(
  `warm-up run (pretraining into the cache): ${warm.status}, ${((performance.now() - t00) / 1000).toFixed(1)} s`,
);

for (const parallel of [1, 2]) {
  const t0 = performance.now();
  const res = await localExecutor({ parallel }).execute(grid(seeds), join(tmp, `local-${parallel}`));
  const s = (performance.now() - t0) / 1000;
  console.log(
    `local --parallel ${parallel}: ${n} runs in ${s.toFixed(1)} s (${(s / n).toFixed(1)} s/run), ${res.filter((r) => r.status === 'complete').length} complete`,
  );
}

const redisBin = findRedisServer();
if (!redisBin) {
  console.log('bullmq: skipped (redis-server not found)');
} else {
  const redis = await startTestRedis(redisBin);
  const queueName = 'mcl-bench';
  const cmd = defaultJobCommand();
  const workers: ChildProcess[] = [0, 1].map(() =>
    spawn(cmd.command, [...cmd.args, 'worker', '--queue', redis.url, '--queue-name', queueName], {
      stdio: 'ignore',
    }),
  );
  await new Promise((r) => setTimeout(r, 8000)); // workers connected and idle
  const runs = grid(seeds.map((s) => s + 100));
  const out = join(tmp, 'queue');
  const t0 = performance.now();
  const res = await bullmqExecutor({ url: redis.url, queueName, pollMs: 200 }).execute(runs, out);
  const s = (performance.now() - t0) / 1000;
  const q = new Queue(queueName, { connection: { host: '127.0.0.1', port: redis.port } });
  const lat: number[] = [];
  const startup: number[] = [];
  const jobs = [];
  for (const r of res) {
    const job = await q.getJob(r.run.id);
    if (job?.processedOn && job.finishedOn)
      jobs.push({ r, job, start: job.processedOn, end: job.finishedOn });
  }
  // With 2 workers, the i-th job to start waits for the (i−2)-th job to finish: its overhead is the
  // time from max(enqueue, that finish) to its start.
  jobs.sort((a, b) => a.start - b.start);
  const ends = jobs.map((j) => j.end).sort((a, b) => a - b);
  for (const [i, { r, job, start }] of jobs.entries()) {
    lat.push(start - Math.max(job.timestamp, i >= 2 ? ends[i - 2] : 0));
    const events = readFileSync(join(r.folder as string, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean);
    const first = Date.parse((JSON.parse(events[0]) as { time: string }).time);
    startup.push(first - start);
  }
  await q.close();
  for (const w of workers) w.kill('SIGTERM');
  await redis.stop();
  const fmt = (xs: number[]) =>
    `median ${[...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]} ms (min ${Math.min(...xs)}, max ${Math.max(...xs)})`;
  console.log(
    `bullmq, 2 workers: ${n} runs in ${s.toFixed(1)} s, ${res.filter((r) => r.status === 'complete').length} complete`,
  );
  console.log(
    `  queue overhead, ready → processor start: ${fmt(lat)} (from enqueue, or from the finish that freed a worker)`,
  );
  console.log(`  processor start → first run event (child process + CLI + backend): ${fmt(startup)}`);
}
