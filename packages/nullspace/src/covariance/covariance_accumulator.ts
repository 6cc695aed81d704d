import { addGram } from './gram.js';

/**
 * How task matrices are folded into the cumulative one (official `--null_interm_accum`, spec §3.3).
 * `sum` (default): 𝒦_t = 𝒦_{t−1} + K_t. `mean`: 𝒦_t = (N_{<t}/N_{≤t})·𝒦_{t−1} + (N_t/N_{≤t})·K_t,
 * N = image counts.
 *
 * @category Covariance
 */
export type AccumulationMode = 'sum' | 'mean';

/** Options of {@link CovarianceAccumulator}. @category Covariance */
export interface CovarianceAccumulatorOptions {
  /** Folding rule across tasks; default 'sum' (the official default). */
  readonly mode?: AccumulationMode;
  /**
   * Start with 𝒦 detached (kept elsewhere, e.g. in a disk `MatrixStore`): nothing of D×D is
   * allocated until the first batch; `attachMatrix` before `endTask`. Default false.
   */
  readonly detached?: boolean;
}

const MAGIC = 'MCLCOV01';

/**
 * One D×D uncentred feature covariance, accumulated the official way, in float64.
 *
 * **Details**
 * Spec §3.2–3.3, pitfall 4: each batch adds its own XᵀX divided by **its own** row count
 * (b·L, or b·D for the W_B features); a task's K_t is the **sum** over its batches; `endTask()` folds
 * K_t into the cumulative 𝒦 (sum, or the image-weighted 'mean'). Features arrive as float32; all
 * products and sums are float64. The state (𝒦, the pending task sum, counters) serialises to bytes
 * and restores bit-exactly.
 *
 * 𝒦 can live outside the accumulator between boundaries (`detachMatrix` / `attachMatrix`, or the
 * `detached` option): batches only touch K_t, so during feature collection only K_t is in memory,
 * and `endTask` needs 𝒦 attached. The fold is the same arithmetic either way.
 *
 * @example
 * const acc = new CovarianceAccumulator(2048);
 * acc.addBatch(x, 100 * 145, 100);   // x: Float32Array [14500, 2048]
 * acc.endTask();
 * const K = acc.matrix;              // Float64Array [2048, 2048]
 * @category Covariance
 */
export class CovarianceAccumulator {
  /** Feature dimension D. */
  readonly dim: number;
  /** Folding rule across tasks. */
  readonly mode: AccumulationMode;
  /** 𝒦, or undefined while detached. */
  #matrix: Float64Array | undefined;
  /** K_t of the current task; allocated by the first batch, released by endTask (halves idle memory). */
  #taskBuf: Float64Array | undefined;
  #taskBatches = 0;
  #taskImages = 0;
  #imageCounts: number[] = [];

  /**
   * @param dim - feature dimension D (the matrix is D×D)
   * @param options - accumulation mode
   */
  constructor(dim: number, options: CovarianceAccumulatorOptions = {}) {
    if (!Number.isInteger(dim) || dim < 1)
      throw new RangeError(`CovarianceAccumulator: dim=${dim}, expected a positive integer`);
    const mode = options.mode ?? 'sum';
    if (mode !== 'sum' && mode !== 'mean') {
      throw new RangeError(`CovarianceAccumulator: mode '${mode}', expected 'sum' or 'mean'`);
    }
    this.dim = dim;
    this.mode = mode;
    this.#matrix = options.detached ? undefined : new Float64Array(dim * dim);
  }

  /**
   * The cumulative 𝒦 (all finished tasks), shape [dim, dim], row-major. Not a copy: do not modify.
   * Throws while 𝒦 is detached.
   */
  get matrix(): Float64Array {
    if (this.#matrix === undefined) {
      throw new Error(
        `CovarianceAccumulator.matrix: 𝒦 (${this.dim}×${this.dim}) is detached; attachMatrix it first`,
      );
    }
    return this.#matrix;
  }

  /** Whether 𝒦 is held here (false after `detachMatrix` or with the `detached` option). */
  get hasMatrix(): boolean {
    return this.#matrix !== undefined;
  }

  /**
   * Hands 𝒦 over and stops holding it (to keep it in a store between boundaries).
   *
   * @returns 𝒦, shape [dim, dim], row-major (no copy)
   */
  detachMatrix(): Float64Array {
    const m = this.matrix;
    this.#matrix = undefined;
    return m;
  }

  /**
   * Holds `matrix` as 𝒦 again (the one detached, e.g. read back from a store; zeros before the
   * first task).
   *
   * @param matrix - 𝒦, shape [dim, dim], row-major float64 (held, not copied)
   */
  attachMatrix(matrix: Float64Array): void {
    if (!(matrix instanceof Float64Array) || matrix.length !== this.dim * this.dim) {
      throw new RangeError(
        `CovarianceAccumulator.attachMatrix: got ${matrix?.length} values, expected a Float64Array of ${this.dim}×${this.dim}`,
      );
    }
    this.#matrix = matrix;
  }

  /** The current task's K_t so far (batches added since the last `endTask`; zeros if none). */
  get taskMatrix(): Float64Array {
    return this.#task;
  }

  get #task(): Float64Array {
    this.#taskBuf ??= new Float64Array(this.dim * this.dim);
    return this.#taskBuf;
  }

  /** Batches added to the current task. */
  get taskBatches(): number {
    return this.#taskBatches;
  }

  /** Image count of every finished task, in order. */
  get imageCounts(): readonly number[] {
    return this.#imageCounts;
  }

  /** Number of finished tasks folded into `matrix`. */
  get tasks(): number {
    return this.#imageCounts.length;
  }

  /**
   * Adds one batch of features: K_t += XᵀX / rows.
   *
   * @param features - X, shape [rows, dim], row-major float32
   * @param rows - row count of this batch (its own normaliser)
   * @param images - images in this batch (needed by mode 'mean'); default 0
   */
  addBatch(features: Float32Array | Float64Array, rows: number, images = 0): void {
    this.#checkRows(rows, 'addBatch');
    if (features.length !== rows * this.dim) {
      throw new RangeError(
        `CovarianceAccumulator.addBatch: features hold ${features.length} values, expected rows×dim = ${rows}×${this.dim} = ${rows * this.dim}`,
      );
    }
    addGram(features, rows, this.dim, this.#task, 1 / rows);
    this.#taskBatches++;
    this.#taskImages += images;
  }

  /**
   * Adds a precomputed Gram XᵀX of one batch: K_t += gram / rows.
   *
   * @param gram - XᵀX, shape [dim, dim], row-major (float32 from tfjs, or float64)
   * @param rows - the batch's row count
   * @param images - images in this batch (needed by mode 'mean'); default 0
   */
  addGram(gram: Float32Array | Float64Array, rows: number, images = 0): void {
    this.#checkRows(rows, 'addGram');
    const d = this.dim;
    if (gram.length !== d * d)
      throw new RangeError(
        `CovarianceAccumulator.addGram: gram has ${gram.length} values, expected ${d}×${d}`,
      );
    const t = this.#task;
    for (let i = 0; i < t.length; i++) t[i] += gram[i] / rows;
    this.#taskBatches++;
    this.#taskImages += images;
  }

  /**
   * Folds the current task's K_t into 𝒦 and starts a new task (spec §3.3).
   *
   * @param images - the task's image count; default the sum passed to addBatch/addGram
   */
  endTask(images?: number): void {
    const n = images ?? this.#taskImages;
    if (this.#taskBatches === 0)
      throw new Error('CovarianceAccumulator.endTask: no batch was added in this task');
    if (this.mode === 'mean' && !(n > 0)) {
      throw new RangeError("CovarianceAccumulator.endTask: mode 'mean' needs the task's image count (> 0)");
    }
    const m = this.matrix;
    const t = this.#task;
    if (this.mode === 'sum' || this.#imageCounts.length === 0) {
      for (let i = 0; i < m.length; i++) m[i] += t[i];
    } else {
      let before = 0;
      for (const c of this.#imageCounts) before += c;
      const total = before + n;
      const a = before / total;
      const b = n / total;
      for (let i = 0; i < m.length; i++) m[i] = a * m[i] + b * t[i];
    }
    this.#imageCounts.push(n);
    this.#taskBuf = undefined;
    this.#taskBatches = 0;
    this.#taskImages = 0;
  }

  /**
   * The full state as bytes: an 8-byte magic, a JSON header, then 𝒦 (unless detached) and the
   * pending K_t (only when batches are pending) as little-endian float64 (restores bit-exactly; a
   * detached 𝒦 restores detached).
   *
   * @returns the bytes
   */
  serialize(): Uint8Array {
    const withMatrix = this.#matrix !== undefined;
    const withTask = this.#taskBatches > 0 && this.#taskBuf !== undefined;
    const header = new TextEncoder().encode(
      JSON.stringify({
        dim: this.dim,
        mode: this.mode,
        taskBatches: this.#taskBatches,
        taskImages: this.#taskImages,
        imageCounts: this.#imageCounts,
        matrix: withMatrix,
        task: withTask,
      }),
    );
    const headerLen = Math.ceil((header.length + 12) / 8) * 8 - 12; // data starts 8-aligned
    const dataOffset = 12 + headerLen;
    const nn = this.dim * this.dim;
    const out = new Uint8Array(dataOffset + 8 * nn * (Number(withMatrix) + Number(withTask)));
    out.set(new TextEncoder().encode(MAGIC), 0);
    const view = new DataView(out.buffer);
    view.setUint32(8, headerLen, true);
    out.fill(0x20, 12, 12 + headerLen);
    out.set(header, 12);
    let at = dataOffset;
    if (this.#matrix !== undefined) {
      writeF64(out, at, this.#matrix);
      at += 8 * nn;
    }
    if (withTask) writeF64(out, at, this.#task);
    return out;
  }

  /**
   * Restores an accumulator written by {@link CovarianceAccumulator.serialize}.
   *
   * @param bytes - the serialised state
   * @param source - a name for error messages
   * @returns the accumulator, bit-identical to the one serialised
   */
  static deserialize(bytes: Uint8Array, source = 'bytes'): CovarianceAccumulator {
    const magic = bytes.length >= 12 ? new TextDecoder().decode(bytes.subarray(0, 8)) : '';
    if (magic !== MAGIC)
      throw new Error(
        `CovarianceAccumulator.deserialize: ${source}: bad magic '${magic}', expected '${MAGIC}'`,
      );
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLen = view.getUint32(8, true);
    let h: {
      dim: number;
      mode: AccumulationMode;
      taskBatches: number;
      taskImages: number;
      imageCounts: number[];
      /** Absent in states written before 𝒦 could be detached: both matrices present. */
      matrix?: boolean;
      task?: boolean;
    };
    try {
      if (12 + headerLen > bytes.length) throw new Error(`header of ${headerLen} bytes runs past the end`);
      h = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLen)));
    } catch (e) {
      throw new Error(
        `CovarianceAccumulator.deserialize: ${source}: unreadable header (${(e as Error).message})`,
      );
    }
    const withMatrix = h.matrix ?? true;
    const withTask = h.task ?? true;
    const acc = new CovarianceAccumulator(h.dim, { mode: h.mode, detached: !withMatrix });
    const nn = h.dim * h.dim;
    const dataOffset = 12 + headerLen;
    const want = dataOffset + 8 * nn * (Number(withMatrix) + Number(withTask));
    if (bytes.length !== want) {
      throw new Error(
        `CovarianceAccumulator.deserialize: ${source}: ${bytes.length} bytes, expected ${want} for dim ${h.dim} (${withMatrix ? '𝒦' : 'no 𝒦'}, ${withTask ? 'K_t' : 'no K_t'})`,
      );
    }
    let at = dataOffset;
    if (acc.#matrix !== undefined) {
      readF64(bytes, at, acc.#matrix);
      at += 8 * nn;
    }
    if (withTask) readF64(bytes, at, acc.#task);
    acc.#taskBatches = h.taskBatches;
    acc.#taskImages = h.taskImages;
    acc.#imageCounts = h.imageCounts;
    return acc;
  }

  #checkRows(rows: number, where: string): void {
    if (!Number.isInteger(rows) || rows < 1) {
      throw new RangeError(`CovarianceAccumulator.${where}: rows=${rows}, expected a positive integer`);
    }
  }
}

function writeF64(out: Uint8Array, offset: number, a: Float64Array): void {
  const view = new DataView(out.buffer, out.byteOffset + offset, a.length * 8);
  for (let i = 0; i < a.length; i++) view.setFloat64(i * 8, a[i], true);
}

function readF64(bytes: Uint8Array, offset: number, into: Float64Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, into.length * 8);
  for (let i = 0; i < into.length; i++) into[i] = view.getFloat64(i * 8, true);
}
