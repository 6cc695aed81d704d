/** Code blocks of a README with the example file each one claims to be. */
export function readmeCodeBlocks(
  readmePath: string,
): { line: number; lang: string; file: string | undefined; needs: string[]; code: string }[];
/** Problems of a package's README examples; empty when all is well. */
export function readmeExampleProblems(pkgDir: string): string[];
