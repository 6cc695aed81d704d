import { defineConfig } from 'vitest/config';

/** Workspace members that carry tests; each is one vitest project. */
const members = [
  'packages/ssm-core',
  'packages/nullspace',
  'packages/datasets',
  'packages/cl-trainer',
  'packages/bench',
];

export default defineConfig({
  // Resolve workspace packages to their TypeScript sources: tests never need a build.
  resolve: { conditions: ['@mamba-cl/source'] },
  ssr: { resolve: { conditions: ['@mamba-cl/source'] } },
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      ...members.map((root) => ({
        extends: true,
        test: {
          name: root.split('/')[1],
          root,
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        },
      })),
      // repository scripts with pure logic worth a test (the GPU check's summary arithmetic)
      { extends: true, test: { name: 'scripts', root: 'scripts', include: ['gpu-check/**/*.test.ts'] } },
    ],
  },
});
