import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic_write.js';

describe('writeFileAtomic', () => {
  it('replaces a file whole and leaves no temporary file', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'atomic-'));
    const p = join(dir, 'results.json');
    writeFileSync(p, 'old');
    writeFileAtomic(p, '{"new":true}\n');
    expect(readFileSync(p, 'utf8')).toBe('{"new":true}\n');
    writeFileAtomic(p, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(p)]).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['results.json']);
  });

  it('keeps the old file and cleans up when the target cannot be replaced', () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'atomic-'));
    const target = join(dir, 'a-folder');
    writeFileAtomic(join(dir, 'keep.txt'), 'kept');
    // renaming a file over a non-empty folder fails: the folder and the other file stay as they were
    mkdirSync(join(target, 'inside'), { recursive: true });
    expect(() => writeFileAtomic(target, 'x')).toThrow();
    expect(readdirSync(dir).sort()).toEqual(['a-folder', 'keep.txt']);
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('kept');
  });
});
