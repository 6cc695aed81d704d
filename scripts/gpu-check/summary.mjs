// Compares the GPU check's figures with issue 17's targets.
//   node scripts/gpu-check/summary.mjs [--wasm-baseline 287.7] <js.jsonl> [<torch.jsonl> ...]
// Reads the JSON lines of check.mjs and torch_reference.py (any order, partial runs too), prints a
// table to stderr and one JSON line ("kind": "mamba-cl-gpu-check-summary") to stdout.
//
// Targets (issue 17): the tiny training step on the GPU ≥ 10× our wasm step on 2 cores; the
// paper-model (defocus-mamba-large) training step within 3× of the PyTorch reference on the same
// GPU; the defocus-mamba-large forward ≥ 50 images/s.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * Images/s of the `tiny` step (batch 64) with wasm on the 2-core development machine: the main
 * thread + 1 worker (`packages/ssm-core/bench/step.ts --steps 100 --workers 1`), BENCHMARKS.md,
 * 2026-11-29 05:44 UTC, load ≈ 1.5–2.
 */
export const WASM_2_CORES_IMAGES_PER_S = 287.7;
/** Depth of the paper model (`defocus-mamba-large`). */
export const PAPER_DEPTH = 48;

/**
 * Parses JSON lines, skipping anything that is not a JSON object (progress, warnings).
 * @param {string} text
 * @returns {object[]}
 */
export function parseLines(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (!s.startsWith('{')) continue;
    try {
      out.push(JSON.parse(s));
    } catch {
      // a line cut by a timeout
    }
  }
  return out;
}

const key = (p) => JSON.stringify([p.phase, p.scan ?? '', p.batch, p.depth, p.msMean, p.timedSteps]);

/**
 * Splits parsed lines into the JS check's run info and phases, and the PyTorch reference's.
 * Phases that appear twice (a phase line and the final line's list) are kept once.
 * @param {object[]} records
 */
export function collect(records) {
  const js = new Map();
  const torch = new Map();
  const runs = [];
  const torchRuns = [];
  for (const r of records) {
    if (r.kind === 'mamba-cl-gpu-check') {
      runs.push(r);
      for (const p of r.phases ?? []) js.set(key(p), p);
    } else if (r.kind === 'mamba-cl-gpu-check-phase') {
      js.set(key(r), r);
    } else if (r.kind === 'mamba-cl-gpu-check-torch') {
      torchRuns.push(r);
      for (const p of r.phases ?? []) torch.set(key(p), p);
    } else if (r.kind === 'mamba-cl-gpu-check-torch-phase') {
      torch.set(key(r), r);
    }
  }
  return { runs, torchRuns, js: [...js.values()], torch: [...torch.values()] };
}

/** Images/s from the unrounded mean step time. */
export const ips = (p) => (p.batch * 1000) / p.msMean;
const best = (list) => list.reduce((a, b) => (a === undefined || ips(b) > ips(a) ? b : a), undefined);
const fmt = (x, d = 1) => (x === undefined || x === null || Number.isNaN(x) ? '—' : Number(x).toFixed(d));
/** Images/s: whole numbers from 100 up, else 3 significant digits. */
const fmtIps = (x) => (x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x.toPrecision(3));

/**
 * The targets, each with what was measured and whether it is met (`null`: not measured).
 * @param {ReturnType<typeof collect>} data
 * @param {{ wasmBaseline?: number }} [options]
 */
export function summarize(data, options = {}) {
  const baseline = options.wasmBaseline ?? WASM_2_CORES_IMAGES_PER_S;
  const adapter = data.runs.find((r) => r.adapter !== undefined)?.adapter;
  const gpu = data.js.filter((p) => p.backend === 'webgpu');
  const targets = [];

  targets.push({
    name: 'WebGPU adapter is a hardware GPU',
    target: 'hardware',
    measured: adapter
      ? `${adapter.vendor} ${adapter.description || adapter.device} (${adapter.software ? 'software' : 'hardware'})`
      : 'none',
    met: adapter ? !adapter.software : false,
  });

  const tiny = best(gpu.filter((p) => p.phase === 'tiny'));
  const wasmHere = best(data.js.filter((p) => p.phase === 'wasm'));
  targets.push({
    name: 'tiny step ≥ 10× wasm on 2 cores',
    target: `≥ ${fmtIps(10 * baseline)} images/s (10 × ${baseline})`,
    measured: tiny ? `${fmtIps(ips(tiny))} images/s at batch ${tiny.batch}` : 'not measured',
    ratio: tiny ? ips(tiny) / baseline : undefined,
    met: tiny ? ips(tiny) >= 10 * baseline : null,
    note: wasmHere
      ? `wasm on the check machine's CPU, 1 thread, batch ${wasmHere.batch}: ${fmtIps(ips(wasmHere))} images/s (GPU tiny step ${fmt(tiny ? ips(tiny) / ips(wasmHere) : undefined)}× that)`
      : undefined,
  });

  const step = best(gpu.filter((p) => p.phase === 'large-step'));
  const torchStep = step
    ? best(
        data.torch.filter(
          (p) => p.phase === 'large-step' && p.depth === step.depth && p.batch === step.batch,
        ),
      )
    : undefined;
  targets.push({
    name: 'large training step within 3× of PyTorch',
    target: 'PyTorch images/s ÷ ours ≤ 3',
    measured: step
      ? `${fmtIps(ips(step))} images/s (depth ${step.depth}, batch ${step.batch})` +
        (torchStep
          ? `; PyTorch (${torchStep.scan} scan) ${fmtIps(ips(torchStep))}`
          : '; no PyTorch figure at that depth and batch')
      : 'not measured',
    ratio: step && torchStep ? ips(torchStep) / ips(step) : undefined,
    met: step && torchStep ? ips(torchStep) / ips(step) <= 3 : null,
  });

  const fwd = best(gpu.filter((p) => p.phase === 'large-forward'));
  const torchFwd = fwd
    ? best(
        data.torch.filter(
          (p) => p.phase === 'large-forward' && p.depth === fwd.depth && p.batch === fwd.batch,
        ),
      )
    : undefined;
  // The blocks are all the work but the patch embedding: images/s scales as 1/depth.
  const fwdAt48 = fwd ? (ips(fwd) * fwd.depth) / PAPER_DEPTH : undefined;
  targets.push({
    name: 'large forward ≥ 50 images/s',
    target: '≥ 50 images/s at depth 48',
    measured: fwd
      ? `${fmtIps(ips(fwd))} images/s (depth ${fwd.depth}, batch ${fwd.batch})` +
        (fwd.depth === PAPER_DEPTH ? '' : `; ≈ ${fmtIps(fwdAt48)} at depth 48 (scaled by depth)`)
      : 'not measured',
    ratio: fwdAt48 !== undefined ? fwdAt48 / 50 : undefined,
    met: fwdAt48 !== undefined ? fwdAt48 >= 50 : null,
    estimated: fwd ? fwd.depth !== PAPER_DEPTH : undefined,
    note: torchFwd
      ? `PyTorch (${torchFwd.scan} scan) ${fmtIps(ips(torchFwd))} images/s, ${fmt(ips(torchFwd) / ips(fwd), 2)}× ours`
      : undefined,
  });

  const scans = gpu.filter((p) => p.phase === 'scan-forward' || p.phase === 'scan-forward-backward');
  return {
    kind: 'mamba-cl-gpu-check-summary',
    adapter,
    torch: data.torchRuns[0]
      ? {
          torch: data.torchRuns[0].torch,
          deviceName: data.torchRuns[0].deviceName,
          tf32: data.torchRuns[0].tf32,
        }
      : undefined,
    wasmBaseline: baseline,
    targets,
    scan: scans.map((p) => ({
      phase: p.phase,
      impl: p.scanImpl,
      batch: p.batch,
      msMean: p.msMean,
      msBest: p.msBest,
    })),
    // ssm-core's runWebGpuScanPerf rows (fused WGSL beside chunked tfjs ops), when that phase ran
    scanPerf: data.js.filter((p) => p.phase === 'scan-perf').flatMap((p) => p.rows ?? []),
    errors: [
      ...data.runs.flatMap((r) => r.errors ?? (r.error ? [{ phase: 'start', error: r.error }] : [])),
      ...data.torchRuns.flatMap((r) => r.errors ?? []),
    ],
  };
}

/**
 * The summary as a plain-text table.
 * @param {ReturnType<typeof summarize>} s
 */
export function formatSummary(s) {
  const lines = ['| target | measured | ratio | met |', '|---|---|---|---|'];
  for (const t of s.targets) {
    const met =
      t.met === null
        ? 'not measured'
        : t.met
          ? t.estimated
            ? 'yes (estimated)'
            : 'yes'
          : t.estimated
            ? 'no (estimated)'
            : 'no';
    lines.push(
      `| ${t.name} (${t.target}) | ${t.measured}${t.note ? `; ${t.note}` : ''} | ${fmt(t.ratio, 2)} | ${met} |`,
    );
  }
  for (const p of s.scan)
    lines.push(
      `scan alone (${p.impl}, batch ${p.batch}): ${p.phase} ${fmt(p.msMean, 2)} ms mean, ${fmt(p.msBest, 2)} best`,
    );
  for (const r of s.scanPerf) lines.push(`runWebGpuScanPerf: ${JSON.stringify(r)}`);
  for (const e of s.errors) lines.push(`error in ${e.phase}: ${e.error}`);
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  let wasmBaseline;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--wasm-baseline') wasmBaseline = Number(argv[++i]);
    else files.push(argv[i]);
  }
  const records = files.flatMap((f) => {
    try {
      return parseLines(readFileSync(f, 'utf8'));
    } catch (err) {
      console.error(`summary.mjs: ${f}: ${err.message}`);
      return [];
    }
  });
  const s = summarize(collect(records), { wasmBaseline });
  console.error(formatSummary(s));
  console.log(JSON.stringify(s));
}
