import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_VALUED_FLAGS } from '../cli/run_plan.js';
import type { RunResults } from '../report/run_results.js';
import {
  GOLDEN_CHECKPOINT,
  writeCifar100Binary,
  writeGoldenModelJson,
} from '../testing_internal/fixture_data.js';
import { findRedisServer, startTestRedis, type TestRedis } from '../testing_internal/redis_server.js';
import { bullmqExecutor } from './bullmq_executor.js';
import { localExecutor } from './local_executor.js';
import { defaultJobCommand, readRunState } from './run_job.js';
import type { SweepJobResult } from './sweep_executor.js';
import { expandSweep, type SweepRun } from './sweep_run.js';

const tmp = mkdtempSync(join(os.tmpdir(), 'mcl-sweep-'));
const dataRoot = join(tmp, 'cifar');
writeCifar100Binary(dataRoot, { train: 1, test: 1 });
const model = writeGoldenModelJson(tmp);

/** A smoke sweep on the CIFAR-100 fixture and the golden 8×8 model: 2 strategies × 2 seeds. */
function smokeRuns(extra: Record<string, string> = {}): SweepRun[] {
  const flags = {
    'data-root': dataRoot,
    weights: GOLDEN_CHECKPOINT,
    model,
    epochs: '1',
    'expand-times': '1',
    'batch-size': '4',
    'eval-batch-size': '16',
    'max-steps': '3',
    'limit-train': '1',
    'limit-val': '1',
    workers: '0',
    ...extra,
  };
  return expandSweep(
    {
      benchmarks: ['cifar100-10'],
      strategies: ['finetune', 'joint'],
      seeds: [2024, 2025],
      grid: {},
      passthrough: Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v]),
    },
    () => ({ strategies: [], seeds: [] }),
    RUN_VALUED_FLAGS,
  );
}

const matrices = (results: readonly SweepJobResult[]) =>
  Object.fromEntries(
    results.map((r) => {
      const res = JSON.parse(readFileSync(join(r.folder as string, 'results.json'), 'utf8')) as RunResults;
      return [r.run.id, res.strategies.map((s) => s.accuracyMatrix)];
    }),
  );

let local: SweepJobResult[] = [];

describe('local executor (process pool)', () => {
  it('runs every job of the grid once with --parallel 2, and a resubmitted sweep skips them all', async () => {
    const runs = smokeRuns();
    expect(runs).toHaveLength(4);
    const out = join(tmp, 'local');
    const seen: number[] = [];
    local = await localExecutor({ parallel: 2 }).execute(runs, out, {
      onProgress: (p) => seen.push(p.running),
    });
    for (const r of local) {
      expect(r.status, r.error).toBe('complete');
      expect(readRunState(join(out, r.run.dirName)).status).toBe('complete');
    }
    expect(Math.max(...seen)).toBe(2);
    const again = await localExecutor({ parallel: 2 }).execute(runs, out);
    expect(again.map((r) => r.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    expect(matrices(again)).toEqual(matrices(local));
  }, 300_000);
});

const redisBinary = findRedisServer();
if (!redisBinary) {
  console.warn(
    'sweep: redis-server not found; the BullMQ executor suite is skipped (apt-get install redis-server)',
  );
}

describe.skipIf(!redisBinary)('bullmq executor with real redis-server and worker processes', () => {
  let redis: TestRedis;
  const workers: ChildProcess[] = [];
  const queueName = `mcl-test-${process.pid}`;
  beforeAll(async () => {
    redis = await startTestRedis(redisBinary as string);
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await redis?.stop();
  });

  function startWorker(): ChildProcess & { output: string[] } {
    const cmd = defaultJobCommand();
    const child = spawn(
      cmd.command,
      [
        ...cmd.args,
        'worker',
        '--queue',
        redis.url,
        '--queue-name',
        queueName,
        '--until-idle',
        '--lock-ms',
        '2000',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ) as ChildProcess & { output: string[] };
    child.output = [];
    child.stdout?.on('data', (d) => child.output.push(String(d)));
    child.stderr?.on('data', (d) => child.output.push(String(d)));
    workers.push(child);
    return child;
  }

  it('survives a worker killed mid-run: the job is resumed from its checkpoint by another, every run is done once, figures equal the local pool', async () => {
    const runs = smokeRuns();
    const bad = smokeRuns({ 'data-root': join(tmp, 'no-such-folder') }).slice(0, 1);
    const out = join(tmp, 'queue');
    const pending = bullmqExecutor({ url: redis.url, queueName, pollMs: 200 }).execute(
      [...runs, ...bad],
      out,
    );
    // Start the workers once the jobs are queued (--until-idle would otherwise stop them at once).
    const probe = new Queue(queueName, { connection: { host: '127.0.0.1', port: redis.port } });
    while ((await probe.getJobCounts('waiting')).waiting < 5) await new Promise((r) => setTimeout(r, 100));
    await probe.close();
    const victim = startWorker();
    const survivor = startWorker();

    // Kill the victim with SIGKILL as soon as a job it runs has written a checkpoint.
    let killedJob: string | undefined;
    const deadline = Date.now() + 120_000;
    while (!killedJob && Date.now() < deadline) {
      for (const r of runs) {
        const dir = join(out, r.dirName);
        if (!existsSync(join(dir, 'attempts.jsonl'))) continue;
        const starts = readFileSync(join(dir, 'attempts.jsonl'), 'utf8')
          .split('\n')
          .filter((l) => l.includes('"event":"start"'))
          .map((l) => JSON.parse(l) as { pid: number });
        const state = readRunState(dir);
        const ck = state.folder && join(state.folder, 'checkpoints', r.strategy, 'checkpoint.mclckpt');
        if (starts.at(-1)?.pid === victim.pid && state.status === 'partial' && ck && existsSync(ck)) {
          victim.kill('SIGKILL');
          killedJob = r.id;
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(killedJob, 'the victim worker never held a job with a checkpoint').toBeDefined();

    const results = await pending;
    const good = results.slice(0, 4);
    for (const r of good) expect(r.status, r.error).toBe('complete');
    // Same seed, same backend → the same accuracy matrices as the local pool, resumed job included.
    expect(matrices(good)).toEqual(matrices(local));

    // The killed job: a second attempt resumed the run folder of the first; it finished once.
    const killed = runs.find((r) => r.id === killedJob) as SweepRun;
    const attempts = readFileSync(join(out, killed.dirName, 'attempts.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; mode: string; pid: number; status?: string });
    const starts = attempts.filter((a) => a.event === 'start');
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(starts[0].pid).toBe(victim.pid);
    expect(starts.at(-1)?.mode).toBe('resume');
    expect(attempts.filter((a) => a.status === 'complete')).toHaveLength(1);
    // Every run folder holds exactly one completed strategy run (no job executed twice to the end).
    for (const r of good) {
      const folders = readdirSync(join(out, r.run.dirName)).filter((d) => d.startsWith('cifar100-10-'));
      expect(folders).toHaveLength(1);
      const ends = readFileSync(join(r.folder as string, 'events.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('"type":"strategy-end"') && l.includes('"status":"complete"'));
      expect(ends).toHaveLength(1);
    }

    // A deterministic failure (missing data root, exit code 2) fails once, with its error, no retries.
    const failed = results[4];
    expect(failed.status).toBe('failed');
    expect(failed.attempts).toBe(1);
    expect(failed.error).toMatch(/no-such-folder/);

    // Resubmitting is idempotent: the complete runs are skipped, nothing new is queued for them.
    const again = await bullmqExecutor({ url: redis.url, queueName, pollMs: 200 }).execute(runs, out);
    expect(again.map((r) => r.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    await new Promise<void>((resolve) => {
      if (survivor.exitCode !== null) resolve();
      else survivor.once('exit', () => resolve());
    });
    expect(survivor.exitCode, survivor.output.join('')).toBe(0);
  }, 300_000);
});
