/**
 * A named, dense matrix held by a {@link MatrixStore}.
 *
 * @category Store
 */
export interface StoredMatrix<T extends Float32Array | Float64Array> {
  readonly rows: number;
  readonly cols: number;
  /** Row-major values, length rows·cols. */
  readonly data: T;
}

/**
 * Where the null-space matrices live between task boundaries: by parameter name, in memory or on
 * disk. The paper model holds 240 covariances and 240 projectors of 2048² (~8 GB in float32), so
 * the on-disk store streams them one at a time.
 *
 * @category Store
 */
export interface MatrixStore<T extends Float32Array | Float64Array> {
  /** 'memory' or 'disk'. */
  readonly kind: 'memory' | 'disk';
  /** Element type of every matrix. */
  readonly dtype: T extends Float32Array ? 'float32' : 'float64';
  /** The matrix under `name`, or undefined. */
  get(name: string): Promise<StoredMatrix<T> | undefined>;
  /** Stores (replaces) a matrix; on disk the write is atomic (temp files + rename). */
  set(name: string, matrix: StoredMatrix<T>): Promise<void>;
  /** Makes `name` share `target`'s matrix (e.g. W_δ and W_C have identical projectors). */
  alias(name: string, target: string): Promise<void>;
  has(name: string): Promise<boolean>;
  delete(name: string): Promise<boolean>;
  /** Names in insertion order (aliases included). */
  keys(): Promise<string[]>;
  /** Every entry, loaded one at a time. */
  entries(): AsyncIterable<[string, StoredMatrix<T>]>;
}

/** Projectors P (float32). @category Store */
export type ProjectorStore = MatrixStore<Float32Array>;
/** Cumulative covariances 𝒦 (float64). @category Store */
export type CovarianceStore = MatrixStore<Float64Array>;

/** @internal */
export function checkMatrix(
  where: string,
  name: string,
  m: StoredMatrix<Float32Array | Float64Array>,
  dtype: string,
): void {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 0 || m.cols < 0) {
    throw new RangeError(
      `${where}: '${name}' has shape [${m.rows}, ${m.cols}], expected non-negative integers`,
    );
  }
  if (m.data.length !== m.rows * m.cols) {
    throw new RangeError(
      `${where}: '${name}' has ${m.data.length} values, expected ${m.rows}×${m.cols} = ${m.rows * m.cols}`,
    );
  }
  const got = m.data instanceof Float32Array ? 'float32' : 'float64';
  if (got !== dtype) throw new TypeError(`${where}: '${name}' is ${got}, this store holds ${dtype}`);
}
