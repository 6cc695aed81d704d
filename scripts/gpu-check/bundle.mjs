// Bundles scripts/gpu-check/check.ts (with tfjs-core, tfjs-backend-webgpu, tfjs-backend-wasm and
// ssm-core's sources) into one ESM file for a Node without node_modules. Called by prepare.sh.
//   node scripts/gpu-check/bundle.mjs <out.mjs>
// `webgpu` (Dawn) stays external: prepare.sh puts it, with its dawn.node, in node_modules beside
// the bundle, together with the tfjs-backend-wasm .wasm files and the package.json files that
// ssm-core's loaders resolve (require.resolve) at run time.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pnpmDir = path.join(root, 'node_modules/.pnpm');
const esbuildDir = readdirSync(pnpmDir).find((d) => /^esbuild@\d/.test(d));
if (esbuildDir === undefined) throw new Error(`bundle.mjs: no esbuild@* in ${pnpmDir} (run pnpm install)`);
const esbuild = await import(
  pathToFileURL(path.join(pnpmDir, esbuildDir, 'node_modules/esbuild/lib/main.js')).href
);
const out = process.argv[2];
if (out === undefined) throw new Error('usage: node scripts/gpu-check/bundle.mjs <out.mjs>');

const result = await esbuild.build({
  entryPoints: [path.join(root, 'scripts/gpu-check/check.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // ssm-core's package exports point at src/ under this condition (as in the tests)
  conditions: ['@mamba-cl/source'],
  mainFields: ['module', 'main'],
  // tfjs-core and the backends resolve from ssm-core's node_modules (one instance of tfjs-core)
  nodePaths: [path.join(root, 'packages/ssm-core/node_modules')],
  external: ['webgpu'],
  // CommonJS parts of the bundle (emscripten glue of tfjs-backend-wasm) use require and __dirname
  banner: {
    js: [
      "import { createRequire as __gpuCheckCreateRequire } from 'node:module';",
      "import { dirname as __gpuCheckDirname } from 'node:path';",
      "import { fileURLToPath as __gpuCheckFileURLToPath } from 'node:url';",
      'const require = __gpuCheckCreateRequire(import.meta.url);',
      'const __filename = __gpuCheckFileURLToPath(import.meta.url);',
      'const __dirname = __gpuCheckDirname(__filename);',
    ].join('\n'),
  },
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((s, o) => s + o.bytes, 0);
console.error(`bundle.mjs: ${out} (${(bytes / 2 ** 20).toFixed(2)} MiB)`);
