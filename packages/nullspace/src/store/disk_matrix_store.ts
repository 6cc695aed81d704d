import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkMatrix, type MatrixStore, type StoredMatrix } from './matrix_store.js';

/** Options of {@link DiskMatrixStore}. @category Store */
export interface DiskMatrixStoreOptions {
  /** Bytes per chunk file; default 16 MiB. */
  readonly chunkBytes?: number;
  /** Matrices kept in a small LRU cache after get/set; default 0 (stream every read from disk). */
  readonly cacheSize?: number;
}

interface Pointer {
  readonly version: string;
  readonly rows: number;
  readonly cols: number;
  readonly dtype: string;
  readonly chunks: number;
  readonly chunkBytes: number;
  readonly seq: number;
}

let counter = 0;

/**
 * A {@link MatrixStore} on disk: each matrix in chunk files, written atomically, read one at a time.
 *
 * **Details**
 * Layout under `dir`: `<name>.json` (a pointer: shape, dtype, chunk count and the data folder),
 * `<name>.<version>/chunk-00000.bin …` (little-endian raw values, `chunkBytes` each). A write
 * fills a fresh version folder, then replaces the pointer by writing a temp file and renaming it
 * (atomic on POSIX), then removes the old version: a reader sees the old or the new matrix, never a
 * mix, and a crash leaves at worst an orphan folder. Aliases are pointers to the same folder.
 * Names are URI-encoded into file names. Optional LRU cache of `cacheSize` matrices.
 *
 * @example
 * const store = new DiskMatrixStore<Float32Array>('/data/projectors', 'float32');
 * await store.set('layers.3.mixer.out_proj.weight', { rows: 2048, cols: 2048, data: P });
 * for await (const [name, m] of store.entries()) { ... } // one matrix in memory at a time
 * @category Store
 */
export class DiskMatrixStore<T extends Float32Array | Float64Array> implements MatrixStore<T> {
  readonly kind = 'disk' as const;
  readonly dtype: MatrixStore<T>['dtype'];
  /** The folder holding the store. */
  readonly dir: string;
  readonly #chunkBytes: number;
  readonly #cacheSize: number;
  readonly #cache = new Map<string, StoredMatrix<T>>();
  #ready: Promise<void> | undefined;

  /**
   * @param dir - folder (created if missing)
   * @param dtype - 'float32' (projectors) or 'float64' (covariances)
   * @param options - chunk size and cache
   */
  constructor(dir: string, dtype: MatrixStore<T>['dtype'], options: DiskMatrixStoreOptions = {}) {
    this.dir = dir;
    this.dtype = dtype;
    const cb = options.chunkBytes ?? 16 * 1024 * 1024;
    if (!(cb >= 8 && cb % 8 === 0))
      throw new RangeError(`DiskMatrixStore: chunkBytes=${cb}, expected a positive multiple of 8`);
    this.#chunkBytes = cb;
    this.#cacheSize = options.cacheSize ?? 0;
  }

  #init(): Promise<void> {
    this.#ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
    return this.#ready;
  }

  #pointerPath(name: string): string {
    if (name.length === 0) throw new RangeError('DiskMatrixStore: empty matrix name');
    return join(this.dir, `${encodeURIComponent(name)}.json`);
  }

  async #readPointer(name: string): Promise<Pointer | undefined> {
    try {
      return JSON.parse(await readFile(this.#pointerPath(name), 'utf8')) as Pointer;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(
        `DiskMatrixStore: ${this.#pointerPath(name)}: unreadable pointer (${(e as Error).message})`,
      );
    }
  }

  async #writePointer(name: string, p: Pointer): Promise<void> {
    const path = this.#pointerPath(name);
    const tmp = `${path}.tmp-${process.pid}-${counter++}`;
    await writeFile(tmp, JSON.stringify(p));
    await rename(tmp, path);
  }

  #remember(name: string, m: StoredMatrix<T>): void {
    if (this.#cacheSize <= 0) return;
    this.#cache.delete(name);
    this.#cache.set(name, m);
    while (this.#cache.size > this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value as string);
  }

  async get(name: string): Promise<StoredMatrix<T> | undefined> {
    await this.#init();
    const hit = this.#cache.get(name);
    if (hit) {
      this.#remember(name, hit);
      return hit;
    }
    const p = await this.#readPointer(name);
    if (!p) return undefined;
    if (p.dtype !== this.dtype)
      throw new TypeError(`DiskMatrixStore: '${name}' is ${p.dtype} on disk, this store holds ${this.dtype}`);
    const width = this.dtype === 'float32' ? 4 : 8;
    const total = p.rows * p.cols * width;
    const buf = new ArrayBuffer(total);
    const bytes = new Uint8Array(buf);
    const folder = join(this.dir, p.version);
    let offset = 0;
    for (let c = 0; c < p.chunks; c++) {
      const file = join(folder, chunkName(c));
      const fh = await open(file, 'r');
      try {
        const want = Math.min(p.chunkBytes, total - offset);
        const { bytesRead } = await fh.read(bytes, offset, want, 0);
        if (bytesRead !== want)
          throw new Error(`DiskMatrixStore: ${file} holds ${bytesRead} bytes, expected ${want}`);
        offset += want;
      } finally {
        await fh.close();
      }
    }
    const data = (this.dtype === 'float32' ? new Float32Array(buf) : new Float64Array(buf)) as T;
    const m: StoredMatrix<T> = { rows: p.rows, cols: p.cols, data };
    this.#remember(name, m);
    return m;
  }

  async set(name: string, matrix: StoredMatrix<T>): Promise<void> {
    checkMatrix('DiskMatrixStore.set', name, matrix, this.dtype);
    await this.#init();
    const old = await this.#readPointer(name);
    const version = `${encodeURIComponent(name)}.v${Date.now().toString(36)}-${process.pid}-${counter++}`;
    const folder = join(this.dir, version);
    await mkdir(folder);
    const src = matrix.data;
    const bytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
    let chunks = 0;
    for (let off = 0; off < bytes.length || chunks === 0; off += this.#chunkBytes) {
      await writeFile(
        join(folder, chunkName(chunks)),
        bytes.subarray(off, Math.min(off + this.#chunkBytes, bytes.length)),
      );
      chunks++;
      if (bytes.length === 0) break;
    }
    await this.#writePointer(name, {
      version,
      rows: matrix.rows,
      cols: matrix.cols,
      dtype: this.dtype,
      chunks,
      chunkBytes: this.#chunkBytes,
      seq: counter,
    });
    this.#cache.delete(name);
    this.#remember(name, matrix);
    if (old && old.version !== version) await this.#dropIfUnused(old.version);
  }

  async alias(name: string, target: string): Promise<void> {
    await this.#init();
    const p = await this.#readPointer(target);
    if (!p)
      throw new Error(`DiskMatrixStore.alias: no matrix '${target}' in ${this.dir} to alias as '${name}'`);
    const old = await this.#readPointer(name);
    await this.#writePointer(name, p);
    this.#cache.delete(name);
    if (old && old.version !== p.version) await this.#dropIfUnused(old.version);
  }

  async has(name: string): Promise<boolean> {
    await this.#init();
    return (await this.#readPointer(name)) !== undefined;
  }

  async delete(name: string): Promise<boolean> {
    await this.#init();
    const p = await this.#readPointer(name);
    if (!p) return false;
    await rm(this.#pointerPath(name), { force: true });
    this.#cache.delete(name);
    await this.#dropIfUnused(p.version);
    return true;
  }

  async keys(): Promise<string[]> {
    await this.#init();
    const files = await readdir(this.dir);
    return files
      .filter((f) => f.endsWith('.json') && !f.includes('.tmp-'))
      .map((f) => decodeURIComponent(f.slice(0, -5)))
      .sort();
  }

  async *entries(): AsyncIterable<[string, StoredMatrix<T>]> {
    for (const name of await this.keys()) {
      const m = await this.get(name);
      if (m) yield [name, m];
    }
  }

  /** Removes a version folder unless some pointer (an alias) still uses it. */
  async #dropIfUnused(version: string): Promise<void> {
    for (const name of await this.keys()) {
      const p = await this.#readPointer(name);
      if (p?.version === version) return;
    }
    await rm(join(this.dir, version), { recursive: true, force: true });
  }
}

function chunkName(i: number): string {
  return `chunk-${String(i).padStart(5, '0')}.bin`;
}
