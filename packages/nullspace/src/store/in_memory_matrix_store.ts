import { checkMatrix, type MatrixStore, type StoredMatrix } from './matrix_store.js';

/**
 * A {@link MatrixStore} in memory (a Map). Aliases share the same array.
 *
 * @example
 * const projectors = new InMemoryMatrixStore<Float32Array>('float32');
 * await projectors.set('layers.0.mixer.x_proj_B.weight', { rows: 2048, cols: 2048, data: P });
 * @category Store
 */
export class InMemoryMatrixStore<T extends Float32Array | Float64Array> implements MatrixStore<T> {
  readonly kind = 'memory' as const;
  readonly dtype: MatrixStore<T>['dtype'];
  readonly #map = new Map<string, StoredMatrix<T>>();

  /** @param dtype - 'float32' (projectors) or 'float64' (covariances) */
  constructor(dtype: MatrixStore<T>['dtype']) {
    this.dtype = dtype;
  }

  async get(name: string): Promise<StoredMatrix<T> | undefined> {
    return this.#map.get(name);
  }

  async set(name: string, matrix: StoredMatrix<T>): Promise<void> {
    checkMatrix('InMemoryMatrixStore.set', name, matrix, this.dtype);
    this.#map.set(name, matrix);
  }

  async alias(name: string, target: string): Promise<void> {
    const m = this.#map.get(target);
    if (!m)
      throw new Error(
        `InMemoryMatrixStore.alias: no matrix '${target}' to alias as '${name}'; known: ${[...this.#map.keys()].join(', ')}`,
      );
    this.#map.set(name, m);
  }

  async has(name: string): Promise<boolean> {
    return this.#map.has(name);
  }

  async delete(name: string): Promise<boolean> {
    return this.#map.delete(name);
  }

  async keys(): Promise<string[]> {
    return [...this.#map.keys()];
  }

  async *entries(): AsyncIterable<[string, StoredMatrix<T>]> {
    for (const e of this.#map) yield e;
  }
}
