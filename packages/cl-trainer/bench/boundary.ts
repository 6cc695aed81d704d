/**
 * Task-boundary benchmark at the paper model's width (dModel 1024, dInner 2048, 145 tokens) with
 * reduced depth and image count: time and peak RSS of collect / Grams / eigh+projectors per depth
 * (one child process each, so peak RSS is per configuration), the memory slope over depth, an
 * extrapolation to 48 blocks and 5,000 images, and the Gram products' GFLOP/s beside the linear
 * layers'.
 *
 *   node --conditions=@mamba-cl/source --import tsx packages/cl-trainer/bench/boundary.ts \
 *     [--depths=2,4,8] [--images=20] [--batch=N] [--backend=wasm|cpu] [--gram=exact|matmul]
 *     [--store=memory|disk] [--collect=per-block|all-blocks] [--no-throughput]
 *
 * Each run's raw figures are printed too, as `run: {json}` lines.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  type BoundaryPerfResult,
  type PerfReport,
  runBoundaryPerf,
  runGramThroughput,
  summarizeBoundaryPerf,
} from '../src/perf.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) =>
  args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const backend = opt('backend', 'wasm') as 'wasm' | 'cpu';
const images = Number(opt('images', '20'));
const batch = args.some((a) => a.startsWith('--batch=')) ? Number(opt('batch', '100')) : undefined;
const gramKernel = opt('gram', 'exact') as 'exact' | 'matmul';
const store = opt('store', 'memory') as 'memory' | 'disk';
const collect = opt('collect', 'per-block') as 'per-block' | 'all-blocks';

function print(r: PerfReport): void {
  console.log(`\n${r.title}`);
  const cols = Object.keys(r.rows[0] ?? {});
  console.log(`| ${cols.join(' | ')} |\n|${cols.map(() => '---').join('|')}|`);
  for (const row of r.rows) console.log(`| ${cols.map((c) => row[c]).join(' | ')} |`);
  for (const n of r.notes) console.log(`- ${n}`);
}

if (args.includes('--child')) {
  const r = await runBoundaryPerf({
    backend,
    depth: Number(opt('depth', '2')),
    images,
    batch,
    gramKernel,
    store,
    collect,
    log: (l) => console.error(l),
  });
  console.log(JSON.stringify(r));
} else if (args.includes('--throughput-child')) {
  console.log(JSON.stringify(await runGramThroughput({ backend, images: batch ?? Math.min(images, 100) })));
} else {
  const self = fileURLToPath(import.meta.url);
  const child = (extra: string[]): string => {
    const p = spawnSync(
      process.execPath,
      ['--expose-gc', '--conditions=@mamba-cl/source', '--import', 'tsx', self, ...args, ...extra],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 },
    );
    if (p.status !== 0) throw new Error(`boundary.ts ${extra.join(' ')}: exit ${p.status}`);
    const lines = p.stdout.trim().split('\n');
    return lines[lines.length - 1];
  };
  const load = () =>
    process.platform === 'linux' ? spawnSync('uptime', { encoding: 'utf8' }).stdout.trim() : '';
  console.log(`start: ${new Date().toISOString()}  ${load()}`);
  if (!args.includes('--no-throughput')) print(JSON.parse(child(['--throughput-child'])) as PerfReport);
  const runs: BoundaryPerfResult[] = [];
  for (const depth of opt('depths', '2,4,8').split(',').map(Number)) {
    const line = child(['--child', `--depth=${depth}`]);
    console.log(`run: ${line}`);
    runs.push(JSON.parse(line) as BoundaryPerfResult);
    console.error(`depth ${depth} done: ${new Date().toISOString()}  ${load()}`);
  }
  print(summarizeBoundaryPerf(runs));
  console.log(`end: ${new Date().toISOString()}  ${load()}`);
}
