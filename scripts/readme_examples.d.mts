/** Code blocks of a README with the example file each one claims to be. */
export function readmeCodeBlocks(
  readmePath: string,
): { line: number; lang: string; file: string | undefined; needs: string[]; code: string }[];
/** Problems of a package's README examples; empty when all is well. */
export function readmeExampleProblems(pkgDir: string): string[];
/** The README test of one package, on the given test runner's functions (vitest's). */
export function readmeExamplesSuite(
  pkgDir: string,
  t: {
    describe: (name: string, fn: () => void) => void;
    it: (name: string, fn: () => void) => void;
    expect: (value: unknown, message?: string) => any;
  },
): void;
