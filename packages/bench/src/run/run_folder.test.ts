import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeManifest, fakeResults } from '../testing_internal/fake_results.js';
import { machineInfo, packageVersions, sha256File } from './manifest.js';
import { RunFolder } from './run_folder.js';

describe('RunFolder', () => {
  it('writes and reads manifest, results and events', () => {
    const dir = join(mkdtempSync(join(os.tmpdir(), 'rf-')), 'a', 'b');
    const f = RunFolder.create(dir);
    expect(f.readResults()).toBeUndefined();
    f.writeManifest(fakeManifest());
    f.writeResults(fakeResults());
    f.appendEvent({ type: 'phase', phase: 'x', message: 'one' });
    f.appendEvent({ type: 'phase', phase: 'x', message: 'two' });
    const g = RunFolder.open(dir);
    expect(g.readManifest().seed).toBe(2024);
    expect(g.readResults()?.strategies[1].strategy).toBe('finetune');
    const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.message)).toEqual(['one', 'two']);
    expect(typeof lines[0].time).toBe('string');
    expect(g.checkpointDir('mamba-cl')).toBe(join(dir, 'checkpoints', 'mamba-cl'));
  });
  it('refuses a folder without a manifest, saying what it expected', () => {
    expect(() => RunFolder.open(os.tmpdir())).toThrow(/not a run folder \(no manifest\.json\)/);
  });
});

describe('manifest helpers', () => {
  it('hashes a file with sha256', async () => {
    const p = join(mkdtempSync(join(os.tmpdir(), 'sha-')), 'x.bin');
    writeFileSync(p, 'abc');
    expect(await sha256File(p)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('describes the machine and the package versions', () => {
    const m = machineInfo();
    expect(m.cpus).toBeGreaterThan(0);
    expect(m.node).toBe(process.version);
    const v = packageVersions();
    expect(v['@mamba-cl/ssm-core']).toMatch(/^\d+\.\d+\.\d+/);
    expect(v['@tensorflow/tfjs-core']).toBe('4.22.0');
  });
});
