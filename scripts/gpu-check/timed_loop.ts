/**
 * Runs a step until a step count or a time budget is reached, after untimed warm-up steps.
 *
 * The warm-up steps include shader compilation on a GPU backend (tfjs-backend-webgpu compiles one
 * pipeline per program and shape the first time it runs), so the first one is reported apart.
 */

/** Options of {@link timedLoop}. */
export interface TimedLoopOptions {
  /** Untimed steps first (≥ 1: the first one compiles the shaders). */
  readonly warmup: number;
  /** Stop after this many timed steps. */
  readonly maxSteps: number;
  /** At least this many timed steps, whatever the budget (≥ 1). */
  readonly minSteps: number;
  /** Stop once the timed steps have taken this long (ms), once minSteps are done. */
  readonly budgetMs: number;
  /** Progress lines. */
  readonly log: (line: string) => void;
  /** Name in the progress lines. */
  readonly name: string;
}

/** What {@link timedLoop} measured, in ms. */
export interface TimedLoopResult {
  /** Wall time of each warm-up step (the first includes shader compilation). */
  readonly warmupMs: number[];
  /** Wall time of each timed step. */
  readonly timesMs: number[];
}

/**
 * Runs `step` `warmup` times, then times it until `maxSteps` or the budget is reached.
 *
 * @param step - one step; it must wait for the device (e.g. `await loss.data()`)
 * @param options - counts, budget, progress
 * @returns the warm-up and timed step times
 */
export async function timedLoop(
  step: () => Promise<void>,
  options: TimedLoopOptions,
): Promise<TimedLoopResult> {
  const warmupMs: number[] = [];
  for (let i = 0; i < options.warmup; i++) {
    const t0 = performance.now();
    await step();
    warmupMs.push(performance.now() - t0);
    options.log(`${options.name}: warm-up ${i + 1}/${options.warmup} ${warmupMs[i].toFixed(1)} ms`);
  }
  const timesMs: number[] = [];
  let spent = 0;
  while (
    timesMs.length < options.minSteps ||
    (timesMs.length < options.maxSteps && spent < options.budgetMs)
  ) {
    const t0 = performance.now();
    await step();
    const ms = performance.now() - t0;
    timesMs.push(ms);
    spent += ms;
  }
  options.log(
    `${options.name}: ${timesMs.length} timed steps, mean ${(spent / timesMs.length).toFixed(1)} ms, best ${Math.min(...timesMs).toFixed(1)} ms`,
  );
  return { warmupMs, timesMs };
}

/** Mean of a non-empty list. */
export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
