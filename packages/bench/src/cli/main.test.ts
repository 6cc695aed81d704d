import { describe, expect, it } from 'vitest';
import { BENCHMARKS } from '../presets/preset_registry.js';
import { main } from './main.js';

async function call(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('mamba-cl main', () => {
  it('prints help for the program and for every command', async () => {
    const top = await call(['--help']);
    expect(top.code).toBe(0);
    expect(top.out).toContain('Commands:');
    for (const cmd of ['run', 'list', 'report', 'perf']) {
      const h = await call([cmd, '--help']);
      expect(h.code).toBe(0);
      expect(h.out).toContain(`Usage: mamba-cl ${cmd}`);
      expect((await call(['help', cmd])).out).toBe(h.out);
    }
    expect((await call(['run', '--help'])).out).toContain('--max-steps');
  });
  it('exits 2 with a message and a hint on usage errors', async () => {
    const r = await call(['frob']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: unknown command "frob"');
    expect(r.err).toMatch(/commands: run, list, report, perf, .*help/);
    const bad = await call(['run', 'default', '--epochs', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--epochs: "x" is not an integer');
    expect((await call(['list', 'frobs'])).err).toContain('unknown topic "frobs"');
    expect((await call([])).code).toBe(2);
  });
  it('lists benchmarks and backends', async () => {
    const r = await call(['list', 'benchmarks', 'backends']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/cifar100-10\s+10×10\s+defocus-mamba-large\s+η 0\.95/);
    expect(r.out).toMatch(/imagenet-r-10\s+10×20\s+defocus-mamba-large\s+η 0\.9 /);
    expect(r.out).toMatch(/cpu\s+@tensorflow\/tfjs-backend-cpu\s+yes/);
    const j = await call(['list', 'benchmarks', '--json']);
    const listed = JSON.parse(j.out).benchmarks as { id: string; from: string }[];
    expect(listed.map((b) => b.id)).toEqual(BENCHMARKS.ids());
    expect(listed.find((b) => b.id === 'folder')).toMatchObject({ from: 'built-in', dataset: 'folder' });
    expect(r.out).toMatch(/folder\s+--tasks\s+tiny/);
  });
});
