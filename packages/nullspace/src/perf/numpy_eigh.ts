import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** numpy's `linalg.eigh` timed on the same matrices, or why it could not be. */
export interface NumpyTiming {
  /** Best-of-N seconds per size, or undefined when skipped. */
  readonly seconds?: ReadonlyMap<number, { full: number; values: number }>;
  /** What was run or why it was skipped (python, numpy version, BLAS kernel, env). */
  readonly note: string;
}

const SCRIPT = `
import sys, time, json
import numpy as np
out = {"numpy": np.__version__}
try:
    import threadpoolctl
    info = threadpoolctl.threadpool_info()
    out["blas"] = [f"{i.get('internal_api')} {i.get('architecture')} threads={i.get('num_threads')}" for i in info]
except Exception:
    out["blas"] = []
if not out["blas"]:
    # no threadpoolctl: ask the OpenBLAS that numpy bundles for its kernel and threads
    try:
        import ctypes, glob, os
        libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*"))
        for f in libs:
            lib = ctypes.CDLL(f)
            for pre in ("scipy_openblas_", "openblas_"):
                for suf in ("64_", ""):
                    core = getattr(lib, pre + "get_corename" + suf, None)
                    nth = getattr(lib, pre + "get_num_threads" + suf, None)
                    if core is not None and nth is not None:
                        core.restype = ctypes.c_char_p
                        nth.restype = ctypes.c_int
                        out["blas"].append(f"openblas {core().decode()} threads={nth()}")
                        break
                if out["blas"]:
                    break
    except Exception:
        pass
res = {}
for arg in sys.argv[2:]:
    n, path = arg.split(":", 1)
    n = int(n)
    a = np.fromfile(path, dtype="<f8").reshape(n, n)
    best_full = best_vals = float("inf")
    for _ in range(int(sys.argv[1])):
        t = time.perf_counter(); np.linalg.eigh(a); best_full = min(best_full, time.perf_counter() - t)
        t = time.perf_counter(); np.linalg.eigvalsh(a); best_vals = min(best_vals, time.perf_counter() - t)
    res[n] = [best_full, best_vals]
out["res"] = res
print(json.dumps(out))
`;

/**
 * Times numpy's `linalg.eigh` (and `eigvalsh`) on the given matrices in a `python3` child process,
 * single-threaded (OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = MKL_NUM_THREADS = 1) or, with
 * `threads: 'default'`, with the BLAS's own default thread count (those variables removed). Where
 * the environment sets OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (a workaround for old OpenBLAS builds
 * that slows a current numpy), both are unset for this command only, and the note says so. The
 * note names the BLAS kernel that ran (threadpoolctl, or OpenBLAS's own get_corename).
 *
 * @internal
 */
export function timeNumpyEigh(
  mats: ReadonlyMap<number, Float64Array>,
  repeats: number,
  python = 'python3',
  threads: 1 | 'default' = 1,
): NumpyTiming {
  const dir = mkdtempSync(join(tmpdir(), 'nullspace-eigh-'));
  try {
    const args: string[] = [];
    for (const [n, a] of mats) {
      const path = join(dir, `a${n}.f64`);
      writeFileSync(path, new Uint8Array(a.buffer, a.byteOffset, n * n * 8));
      args.push(`${n}:${path}`);
    }
    const threadVars = ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'];
    const env: Record<string, string | undefined> = { ...process.env };
    for (const v of threadVars) {
      if (threads === 1) env[v] = '1';
      else delete env[v];
    }
    const unset = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'].filter((k) => env[k] !== undefined);
    for (const k of unset) delete env[k];
    const r = spawnSync(python, ['-c', SCRIPT, String(repeats), ...args], {
      env,
      encoding: 'utf8',
      timeout: 600_000,
    });
    if (r.error || r.status !== 0) {
      const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop();
      return { note: `numpy comparison skipped: ${python} failed (${why})` };
    }
    const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as {
      numpy: string;
      blas: string[];
      res: Record<string, [number, number]>;
    };
    const seconds = new Map<number, { full: number; values: number }>();
    for (const [n, [full, values]] of Object.entries(out.res)) seconds.set(Number(n), { full, values });
    const envNote = unset.length ? `; unset ${unset.join(' and ')} for this command` : '';
    return {
      seconds,
      note: `numpy ${out.numpy} linalg.eigh/eigvalsh, ${threads === 1 ? 'single-threaded (OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=MKL_NUM_THREADS=1' : 'default threads (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, MKL_NUM_THREADS unset'}${envNote}), best of ${repeats}; BLAS: ${out.blas.join(', ') || 'unknown (no threadpoolctl)'}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
