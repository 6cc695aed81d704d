import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('mamba-cl sweep / worker command lines', () => {
  it('prints the help of both commands', async () => {
    const s = await cli(['sweep', '--help']);
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/Usage: mamba-cl sweep/);
    const w = await cli(['help', 'worker']);
    expect(w.code).toBe(0);
    expect(w.out).toMatch(/--until-idle/);
  });

  it('exits 2 with one clear line for each bad input, before running anything', async () => {
    const out = mkdtempSync(join(os.tmpdir(), 'sweep-cmd-'));
    const cases: [string[], RegExp][] = [
      [['sweep', 'no-such-benchmark', '--out', out], /unknown benchmark "no-such-benchmark"/],
      [['sweep', 'default', '--strategy', 'nope', '--out', out], /--strategy nope: unknown strategy/],
      [['sweep', 'default', '--executor', 'bullmq', '--out', out], /--queue is required/],
      [
        ['sweep', 'default', '--executor', 'bullmq', '--queue', 'http://x:1', '--out', out],
        /expected a redis:\/\//,
      ],
      [['sweep', 'default', '--bogus', '1'], /sweep: Unknown option '--bogus'/],
      [['worker'], /--queue is required/],
      [['worker', '--queue', 'redis://127.0.0.1:1'], /cannot reach Redis/],
      [['sweep', 'status', '--out', join(out, 'missing')], /does not exist/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
  }, 60_000);
});
