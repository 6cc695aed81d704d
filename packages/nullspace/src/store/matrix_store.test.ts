import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskMatrixStore } from './disk_matrix_store.js';
import { InMemoryMatrixStore } from './in_memory_matrix_store.js';
import type { MatrixStore } from './matrix_store.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'nullspace-store-'));
  dirs.push(d);
  return d;
}

function conformance(title: string, make: () => Promise<MatrixStore<Float32Array>>) {
  describe(title, () => {
    it('sets, gets, aliases, lists, streams and deletes matrices bit-exactly', async () => {
      const store = await make();
      const a = Float32Array.from({ length: 12 }, (_, i) => i * 0.1 - 0.3);
      const b = Float32Array.from({ length: 4 }, (_, i) => -i);
      await store.set('layers.0.mixer.x_proj_step.weight', { rows: 3, cols: 4, data: a });
      await store.set('layers.0.mixer.A_log', { rows: 2, cols: 2, data: b });
      await store.alias('layers.0.mixer.x_proj_C.weight', 'layers.0.mixer.x_proj_step.weight');
      const got = await store.get('layers.0.mixer.x_proj_C.weight');
      expect(got?.rows).toBe(3);
      expect(Array.from(got?.data ?? [])).toEqual(Array.from(a));
      expect(await store.has('layers.0.mixer.A_log')).toBe(true);
      expect(await store.get('missing')).toBeUndefined();
      expect((await store.keys()).sort()).toEqual([
        'layers.0.mixer.A_log',
        'layers.0.mixer.x_proj_C.weight',
        'layers.0.mixer.x_proj_step.weight',
      ]);
      const seen: string[] = [];
      for await (const [name, m] of store.entries()) {
        seen.push(name);
        expect(m.data.length).toBe(m.rows * m.cols);
      }
      expect(seen.length).toBe(3);
      // replace, then delete the original: the alias keeps the old matrix
      await store.set('layers.0.mixer.x_proj_step.weight', { rows: 2, cols: 2, data: b });
      expect(Array.from((await store.get('layers.0.mixer.x_proj_C.weight'))?.data ?? [])).toEqual(
        Array.from(a),
      );
      expect(await store.delete('layers.0.mixer.x_proj_step.weight')).toBe(true);
      expect(await store.delete('layers.0.mixer.x_proj_step.weight')).toBe(false);
      expect(Array.from((await store.get('layers.0.mixer.x_proj_C.weight'))?.data ?? [])).toEqual(
        Array.from(a),
      );
    });

    it('rejects wrong sizes and dtypes, naming the matrix', async () => {
      const store = await make();
      await expect(store.set('w', { rows: 2, cols: 2, data: new Float32Array(3) })).rejects.toThrow(
        /'w' has 3 values, expected 2×2/,
      );
      await expect(store.set('w', { rows: 1, cols: 1, data: new Float64Array(1) as never })).rejects.toThrow(
        /float64/,
      );
      await expect(store.alias('x', 'nope')).rejects.toThrow(/no matrix 'nope'/);
    });
  });
}

conformance('InMemoryMatrixStore', async () => new InMemoryMatrixStore<Float32Array>('float32'));
conformance(
  'DiskMatrixStore',
  async () => new DiskMatrixStore<Float32Array>(await freshDir(), 'float32', { chunkBytes: 16 }),
);
conformance(
  'DiskMatrixStore with LRU cache',
  async () => new DiskMatrixStore<Float32Array>(await freshDir(), 'float32', { chunkBytes: 8, cacheSize: 1 }),
);

describe('DiskMatrixStore files', () => {
  it('writes chunk files and leaves no temp or orphan folder after replacing', async () => {
    const dir = await freshDir();
    const store = new DiskMatrixStore<Float64Array>(dir, 'float64', { chunkBytes: 64 });
    const data = Float64Array.from({ length: 20 }, (_, i) => Math.PI * i);
    await store.set('k', { rows: 4, cols: 5, data });
    await store.set('k', { rows: 4, cols: 5, data });
    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith('.json'))).toEqual(['k.json']);
    const folders = files.filter((f) => !f.endsWith('.json'));
    expect(folders.length).toBe(1);
    expect((await readdir(join(dir, folders[0]))).length).toBe(3); // 160 bytes in 64-byte chunks
    const reopened = new DiskMatrixStore<Float64Array>(dir, 'float64');
    expect(Array.from((await reopened.get('k'))?.data ?? [])).toEqual(Array.from(data));
    const f32 = new DiskMatrixStore<Float32Array>(dir, 'float32');
    await expect(f32.get('k')).rejects.toThrow(/float64 on disk/);
  });
});
