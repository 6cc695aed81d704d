/**
 * timm-style multi-step learning-rate schedule (spec §4, pitfall 9).
 *
 * @module
 */

/**
 * Options of {@link MultiStepLR}.
 *
 * @category Optim
 */
export interface MultiStepLROptions {
  /** Epoch milestones (timm `decay_t`), ascending; default [5, 8]. */
  readonly milestones?: readonly number[];
  /** Decay factor per milestone; default 0.1. */
  readonly gamma?: number;
}

/** Number of milestones m with m ≤ x (Python's `bisect.bisect_right`). */
function bisectRight(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < sorted[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * timm's `MultiStepLRScheduler` with its off-by-one: the factor set by `step(e)` is
 * γ^bisect_right(milestones, e + 1).
 *
 * **Details**
 * The official loop calls `step(0)` before the first epoch and `step(e)` after epoch e (1-based), so
 * 0-based epoch i trains with factor γ^bisect_right(milestones, i + 1). With milestones [5, 8] over
 * 10 epochs that is 4 epochs at lr, 3 at 0.1·lr and 3 at 0.01·lr (not 5/3/2). The same factor
 * applies to every parameter group (their lr scales multiply it).
 *
 * @example
 * const s = new MultiStepLR({ milestones: [5, 8], gamma: 0.1 });
 * s.step(0);                 // before epoch 1
 * s.factor;                  // 1
 * MultiStepLR.epochFactors(10, { milestones: [5, 8] }); // [1,1,1,1,0.1,0.1,0.1,0.01,0.01,0.01]
 * @category Optim
 */
export class MultiStepLR {
  /** Milestones, ascending. */
  readonly milestones: readonly number[];
  /** Decay factor. */
  readonly gamma: number;
  private current = 1;

  constructor(options: MultiStepLROptions = {}) {
    const milestones = [...(options.milestones ?? [5, 8])];
    for (let i = 1; i < milestones.length; i++) {
      if (milestones[i] < milestones[i - 1]) {
        throw new RangeError(`MultiStepLR: milestones must ascend, got [${milestones.join(', ')}]`);
      }
    }
    this.milestones = milestones;
    this.gamma = options.gamma ?? 0.1;
  }

  /**
   * The factor timm's `step(e)` sets: γ^bisect_right(milestones, e + 1).
   *
   * @param e - the argument of timm's `scheduler.step(e)`
   * @returns the multiplicative lr factor
   */
  factorAfterStep(e: number): number {
    return this.gamma ** bisectRight(this.milestones, e + 1);
  }

  /**
   * Sets the current factor as timm's `scheduler.step(e)` does.
   *
   * @param e - 0 before the first epoch, then the 1-based index of the epoch just finished
   */
  step(e: number): void {
    this.current = this.factorAfterStep(e);
  }

  /** The factor set by the last {@link MultiStepLR.step} (1 before any call). */
  get factor(): number {
    return this.current;
  }

  /**
   * The factor used by each 0-based epoch of a task: `step(0)` before epoch 0, `step(i)` before
   * epoch i ≥ 1.
   *
   * @param epochs - epochs per task
   * @param options - milestones and gamma
   * @returns one factor per epoch
   */
  static epochFactors(epochs: number, options: MultiStepLROptions = {}): number[] {
    const s = new MultiStepLR(options);
    const out: number[] = [];
    for (let i = 0; i < epochs; i++) {
      s.step(i);
      out.push(s.factor);
    }
    return out;
  }
}
