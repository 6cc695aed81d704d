import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

describe('mamba-cl --version', () => {
  it('prints the version of its package.json and exits 0', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-v']) {
      const lines: string[] = [];
      expect(await main([flag], { log: (l) => lines.push(l) })).toBe(0);
      expect(lines).toEqual([pkg.version]);
    }
  });
});
