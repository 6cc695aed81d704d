/**
 * Integrity of cached pretrained weights: a SHA-256 of the file is stored beside it
 * (`<file>.sha256`) when it is written and checked on every load; a file that fails the check,
 * does not parse, or holds NaN/Inf values is reported as broken (the cache then rebuilds it).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readSafetensors } from '@mamba-cl/ssm-core';
import { writeFileAtomic } from './atomic_write.js';

/** File beside a cached checkpoint holding its SHA-256 (hex). @category Runs */
export const hashFileOf = (path: string): string => `${path}.sha256`;

/**
 * Names every tensor that holds NaN or ±Inf values.
 *
 * @param tensors - name → values
 * @returns one line per bad tensor, e.g. `blocks.0.mixer.A_log: 3 NaN, 1 Inf of 64 values`
 * @category Runs
 */
export function nonFiniteTensors(
  tensors: ReadonlyMap<string, { readonly data: ArrayLike<number> }>,
): string[] {
  const out: string[] = [];
  for (const [name, t] of tensors) {
    let nan = 0;
    let inf = 0;
    for (let i = 0; i < t.data.length; i++) {
      const x = t.data[i];
      if (Number.isNaN(x)) nan++;
      else if (!Number.isFinite(x)) inf++;
    }
    if (nan + inf > 0) {
      out.push(
        `${name}: ${[nan ? `${nan} NaN` : '', inf ? `${inf} Inf` : ''].filter(Boolean).join(', ')} of ${t.data.length} values`,
      );
    }
  }
  return out;
}

function listBad(bad: string[]): string {
  return `${bad.slice(0, 5).join('; ')}${bad.length > 5 ? `; and ${bad.length - 5} more tensors` : ''}`;
}

/**
 * Checks a cached safetensors checkpoint: its stored hash (when present), that it parses, and that
 * every value is finite. A cache file of an earlier version (no hash beside it) that passes the
 * other checks gets its hash written now.
 *
 * @param path - the cached file (must exist)
 * @returns `{ ok: true }`, or why it is broken
 * @category Runs
 */
export function verifyPretrainedCache(path: string): { ok: true } | { ok: false; why: string } {
  const bytes = new Uint8Array(readFileSync(path));
  const digest = createHash('sha256').update(bytes).digest('hex');
  const hashFile = hashFileOf(path);
  const stored = existsSync(hashFile) ? readFileSync(hashFile, 'utf8').trim() : undefined;
  if (stored !== undefined && stored !== digest) {
    return {
      ok: false,
      why: `its SHA-256 ${digest.slice(0, 12)}… differs from the stored ${stored.slice(0, 12)}… (truncated or modified)`,
    };
  }
  let tensors: Map<string, { data: ArrayLike<number> }>;
  try {
    tensors = readSafetensors(bytes, path).tensors;
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  }
  const bad = nonFiniteTensors(tensors);
  if (bad.length > 0) return { ok: false, why: `non-finite weights: ${listBad(bad)}` };
  if (stored === undefined) writeFileAtomic(hashFile, `${digest}\n`);
  return { ok: true };
}

/**
 * Writes freshly pretrained weights into the cache: refused when any value is NaN/Inf (naming the
 * tensors), else written atomically, then its hash beside it.
 *
 * @param path - the cache file
 * @param bytes - safetensors bytes
 * @throws `Error` naming the non-finite tensors (the pretraining diverged; nothing is cached)
 * @category Runs
 */
export function writeCachedWeights(path: string, bytes: Uint8Array): void {
  const bad = nonFiniteTensors(readSafetensors(bytes, path).tensors);
  if (bad.length > 0) {
    throw new Error(
      `${path}: pretraining produced non-finite weights (${listBad(bad)}); nothing was cached, try a lower learning rate`,
    );
  }
  writeFileAtomic(path, bytes);
  writeFileAtomic(hashFileOf(path), `${createHash('sha256').update(bytes).digest('hex')}\n`);
}
