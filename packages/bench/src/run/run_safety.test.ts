import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { writeSafetensors } from '@mamba-cl/ssm-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';
import type { RunResults } from '../report/run_results.js';
import { writeCifar100Binary, writeGoldenModelJson } from '../testing_internal/fixture_data.js';
import { runPreset, smokeFlags } from '../testing_internal/run_preset.js';
import { RUN_LOCK_FILE } from './run_lock.js';

/** `mamba-cl run cifar100-10 …` on the tiny fixture, flags after the smoke flags (later ones win). */
async function run(args: string[]): Promise<{ code: number; err: string; out: string }> {
  const errs: string[] = [];
  const lines: string[] = [];
  const code = await main(args, { log: (l) => lines.push(l), error: (l) => errs.push(l) });
  return { code, err: errs.join('\n'), out: lines.join('\n') };
}

describe('run: problems found before anything is written (exit 2, one line)', () => {
  let root: string;
  let tmp: string;
  let model: string;
  const base = (out: string, ...extra: string[]) => [
    'run',
    'cifar100-10',
    '--data-root',
    root,
    ...smokeFlags(out, model),
    '--strategy',
    'finetune',
    '--limit-tasks',
    '1',
    ...extra,
  ];
  beforeAll(() => {
    root = mkdtempSync(join(os.tmpdir(), 'cifar-'));
    writeCifar100Binary(root, { train: 1, test: 1 });
    tmp = mkdtempSync(join(os.tmpdir(), 'safety-'));
    model = writeGoldenModelJson(tmp);
  });

  it('--out under a file, --cache-dir naming a file', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const a = await run(base(join(file, 'runs')));
    expect(a.code).toBe(2);
    expect(a.err.split('\n')[0]).toBe(
      `error: run: --out ${join(file, 'runs')} cannot be created: ${file} is a file`,
    );
    const out = join(tmp, 'never');
    const b = await run(base(out, '--cache-dir', file));
    expect(b.code).toBe(2);
    expect(b.err.split('\n')[0]).toBe(`error: run: --cache-dir ${file} is a file, not a folder`);
    expect(existsSync(out)).toBe(false);
  });

  it('--resume of a folder that does not exist', async () => {
    const r = await run(['run', '--resume', join(tmp, 'nonexistent')]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toMatch(/^error: .*nonexistent: no such run folder$/);
  });

  it('a legacy, a hostile and a non-matching --weights file; --allow-partial-weights lets the last one run', async () => {
    const out = join(tmp, 'w-runs');
    // pre-1.6 torch.save: a pickle stream, not a zip
    const legacy = join(tmp, 'legacy.pth');
    writeFileSync(
      legacy,
      Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]),
    );
    const l = await run(base(out, '--weights', legacy));
    expect(l.code).toBe(2);
    expect(l.err.split('\n')[0]).toMatch(
      /^error: run: --weights .*legacy\.pth: .*legacy \(non-zip, pre-PyTorch-1\.6\)/,
    );
    // a safetensors header claiming 2^40 bytes
    const hostile = join(tmp, 'hostile.safetensors');
    const h = Buffer.alloc(16);
    h.writeBigUInt64LE(2n ** 40n, 0);
    writeFileSync(hostile, h);
    const hr = await run(base(out, '--weights', hostile));
    expect(hr.code).toBe(2);
    expect(hr.err.split('\n')[0]).toMatch(/^error: run: --weights .*hostile\.safetensors: header length/);
    // weights of another model: none of the names match
    const other = join(tmp, 'other.safetensors');
    writeFileSync(
      other,
      writeSafetensors(new Map([['encoder.weight', { shape: [2], data: new Float32Array([1, 2]) }]])),
    );
    const o = await run(base(out, '--weights', other));
    expect(o.code).toBe(2);
    expect(o.err.split('\n')[0]).toMatch(
      /^error: run: --weights .*other\.safetensors matches none of the model's \d+ backbone parameters \(missing: cls_token, patch_embed\.proj\.weight, .*\(\d+ more\)\)$/,
    );
    expect(o.err).toContain('--allow-partial-weights');
    expect(existsSync(out)).toBe(false);
    // NaN weights are named
    const nan = join(tmp, 'nan.safetensors');
    writeFileSync(
      nan,
      writeSafetensors(
        new Map([['patch_embed.proj.bias', { shape: [2], data: new Float32Array([Number.NaN, 0]) }]]),
      ),
    );
    const n = await run(base(out, '--weights', nan));
    expect(n.code).toBe(2);
    expect(n.err.split('\n')[0]).toMatch(
      /holds non-finite values: patch_embed\.proj\.bias: 1 NaN of 2 values/,
    );
    expect(existsSync(out)).toBe(false);
    const ok = await run(base(out, '--weights', other, '--allow-partial-weights'));
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/note: the checkpoint lacks \d+ backbone parameters/);
  });
});

describe('run --resume of a damaged or busy run folder', () => {
  it('rebuilds a truncated results.json from the checkpoints and events; names a damaged manifest; refuses a locked folder', async () => {
    const root = mkdtempSync(join(os.tmpdir(), 'cifar-'));
    writeCifar100Binary(root, { train: 1, test: 1 });
    const r = await runPreset('cifar100-10', root, ['--strategy', 'finetune,mamba-cl', '--limit-tasks', '2']);
    expect(r.code).toBe(0);
    expect(existsSync(join(r.dir, RUN_LOCK_FILE))).toBe(false);
    const results = join(r.dir, 'results.json');
    const text = readFileSync(results, 'utf8');
    writeFileSync(results, text.slice(0, text.length >> 1)); // a kill during an in-place write
    const again = await run(['run', '--resume', r.dir, '--no-progress']);
    expect(again.err).toBe('');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(
      /results\.json was damaged \(not valid JSON, \d+ bytes: .*\); rebuilt from the checkpoints and events\.jsonl/,
    );
    expect(again.out).toContain('finetune: already complete');
    const back = JSON.parse(readFileSync(results, 'utf8')) as RunResults;
    expect(back.status).toBe('complete');
    for (const [k, s] of back.strategies.entries()) {
      expect(s.accuracyMatrix).toEqual(r.results.strategies[k].accuracyMatrix);
    }
    expect(existsSync(`${results}.damaged`)).toBe(true);

    // another live process holds the folder
    const lock = join(r.dir, RUN_LOCK_FILE);
    writeFileSync(
      lock,
      JSON.stringify({ pid: process.ppid, hostname: os.hostname(), startedAt: 'earlier', token: 't' }),
    );
    const busy = await run(['run', '--resume', r.dir, '--no-progress']);
    expect(busy.code).toBe(2);
    expect(busy.err.split('\n')[0]).toBe(
      `error: ${r.dir} is in use by process ${process.ppid} on ${os.hostname()}, started earlier (${lock})`,
    );
    // its process is gone: the stale lock is replaced, the resume goes on
    writeFileSync(
      lock,
      JSON.stringify({ pid: 2 ** 22 + 12345, hostname: os.hostname(), startedAt: 'x', token: 't' }),
    );
    expect((await run(['run', '--resume', r.dir, '--no-progress'])).code).toBe(0);

    const manifest = join(r.dir, 'manifest.json');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').slice(0, 40));
    const m = await run(['run', '--resume', r.dir]);
    expect(m.code).toBe(2);
    expect(m.err.split('\n')[0]).toMatch(
      /^error: .*manifest\.json: damaged \(not valid JSON, 40 bytes: .*\); the run's configuration is recorded only there, so this folder cannot be resumed$/,
    );
  });
});
