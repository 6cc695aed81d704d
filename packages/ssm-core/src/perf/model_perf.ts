import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../backend/backend_names.js';
import { formatBackendChoice } from '../backend/format_backend_choice.js';
import { selectBackend } from '../backend/select_backend.js';
import type { ModelPresetName } from '../model/model_config.js';
import { SeededRandom } from '../model/seeded_random.js';
import { VisionMamba } from '../model/vision_mamba.js';
import type { PerfReport } from './perf_report.js';

/** Options of {@link runModelPerf}. @category Perf */
export interface ModelPerfOptions {
  /** Backend (default `'wasm'`). */
  backend?: BackendName;
  /** Preset (default `'defocus-mamba-large'`, random weights). */
  preset?: ModelPresetName;
  /** Batch size (default 1). */
  batch?: number;
  /** Timed forward passes (default 3) after one warm-up. */
  reps?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/**
 * Measures inference (forward to CLS features, no gradient) of a backbone preset with random weights.
 *
 * **Details**
 * Reports model build time, parameter count, seconds per image (best and mean over `reps`, wall and
 * process CPU), peak RSS sampled around every pass, and tensors left after the passes (must not grow).
 *
 * @param options - backend, preset, batch, reps
 * @returns one report
 * @example
 * const [r] = await runModelPerf({ preset: 'defocus-mamba-large' });
 * @category Perf
 */
export async function runModelPerf(options: ModelPerfOptions = {}): Promise<PerfReport[]> {
  const backend = options.backend ?? 'wasm';
  const choice = await selectBackend(backend);
  const preset = options.preset ?? 'defocus-mamba-large';
  const batch = options.batch ?? 1;
  const reps = options.reps ?? 3;
  const log = options.log ?? (() => {});
  let peakRss = process.memoryUsage().rss;
  const t0 = performance.now();
  const model = VisionMamba.create(preset, { seed: 0 });
  const buildS = (performance.now() - t0) / 1000;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  let params = 0;
  for (const v of model.parameters.values()) params += v.size;
  log(`built ${preset} (${(params / 1e6).toFixed(1)}M parameters) in ${buildS.toFixed(1)} s`);
  const c = model.config;
  const images = tf.tensor4d(new SeededRandom(1).normalArray(batch * c.imgSize * c.imgSize * c.inChans), [
    batch,
    c.imgSize,
    c.imgSize,
    c.inChans,
  ]);
  const pass = async (): Promise<[number, number]> => {
    const w0 = performance.now();
    const c0 = process.cpuUsage();
    const f = model.forward(images);
    await f.data(); // not dataSync: webgpu under Node has no synchronous read-back
    f.dispose();
    const cu = process.cpuUsage(c0);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    return [(performance.now() - w0) / 1000, (cu.user + cu.system) / 1e6];
  };
  await pass();
  const tensorsBefore = tf.memory().numTensors;
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < reps; i++) {
    const [w, cpu] = await pass();
    walls.push(w);
    cpus.push(cpu);
    log(`pass ${i + 1}/${reps}: ${w.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU`);
  }
  const tensorsAfter = tf.memory().numTensors;
  images.dispose();
  model.dispose();
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  return [
    {
      title: `ssm-core: ${preset} forward (inference), ${backend}`,
      rows: [
        {
          backend,
          preset,
          batch,
          tokens: (c.imgSize / c.patchSize) ** 2 + 1,
          'parameters (M)': Number((params / 1e6).toFixed(1)),
          'build s': Number(buildS.toFixed(1)),
          's/image (best)': Number((Math.min(...walls) / batch).toFixed(3)),
          's/image (mean)': Number((mean(walls) / batch).toFixed(3)),
          'CPU s/image (best)': Number((Math.min(...cpus) / batch).toFixed(3)),
          'peak RSS MiB': Math.round(peakRss / 2 ** 20),
          'numTensors before/after': `${tensorsBefore}/${tensorsAfter}`,
        },
      ],
      notes: [
        ...(choice.adapter ? [`Backend ${formatBackendChoice(choice)}.`] : []),
        'Random (seeded) weights; one warm-up pass not timed. Wall-clock on a shared machine.',
      ],
    },
  ];
}
