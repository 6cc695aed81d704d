import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readmeCodeBlocks, readmeExampleProblems } from '../../../scripts/readme_examples.mjs';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const blocks = readmeCodeBlocks(`${pkgDir}README.md`);

describe('README examples', () => {
  it('every code block is a file of examples/, verbatim', () => {
    expect(blocks.length).toBeGreaterThan(0);
    expect(readmeExampleProblems(pkgDir)).toEqual([]);
  });

  // Each example runs as its own program from the TypeScript sources (no build needed); the
  // packaging check (scripts/check-packages.mjs) runs the same files from the packed tarballs.
  for (const { file } of blocks) {
    if (file === undefined) continue;
    it(`${file} runs to completion`, () => {
      const r = spawnSync(process.execPath, ['--conditions=@mamba-cl/source', '--import', 'tsx', file], {
        cwd: pkgDir,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.error).toBeUndefined();
      expect(r.status, `${file} exited with ${r.status}:\n${r.stderr}`).toBe(0);
      expect(r.stdout.trim()).not.toBe('');
    });
  }
});
