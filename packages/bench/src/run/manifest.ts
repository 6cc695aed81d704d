import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import type { WebGpuAdapterInfo } from '@mamba-cl/ssm-core/backend';

/**
 * The content of a run folder's `manifest.json`: everything needed to know what ran and where.
 *
 * @category Runs
 */
export interface RunManifest {
  /** Format tag. */
  readonly schema: 'mamba-cl/manifest@1';
  /** Benchmark id. */
  readonly benchmark: string;
  /** Seed of this run. */
  readonly seed: number;
  /** Strategies, in run order. */
  readonly strategies: readonly string[];
  /** The full resolved configuration (preset + overrides). */
  readonly config: Record<string, unknown>;
  /** Class order (global class ids, task by task). */
  readonly classOrder: readonly number[];
  /** Backend that ran, and why each other one was skipped. */
  readonly backend: {
    readonly name: string;
    readonly attempts: readonly { name: string; ok: boolean; reason: string }[];
    /** For `webgpu`: the adapter it ran on (vendor, architecture, software or hardware). */
    readonly adapter?: WebGpuAdapterInfo;
  };
  /** The checkpoint the backbone started from: path and sha256, or how it was made. */
  readonly checkpoint: { readonly path: string; readonly sha256: string; readonly origin: string } | null;
  /** Versions of the mamba-cl packages and of tfjs. */
  readonly packages: Record<string, string>;
  /** The machine. */
  readonly machine: MachineInfo;
  /** The command line. */
  readonly argv: readonly string[];
  /** ISO time the run started. */
  readonly startedAt: string;
}

/**
 * Facts about the machine a run used.
 *
 * @category Runs
 */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  readonly hostname: string;
}

/**
 * Collects {@link MachineInfo} for this process.
 *
 * @category Runs
 */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    hostname: os.hostname(),
  };
}

const PACKAGES = [
  '@mamba-cl/ssm-core',
  '@mamba-cl/nullspace',
  '@mamba-cl/datasets',
  '@mamba-cl/cl-trainer',
  'mamba-cl',
  '@tensorflow/tfjs-core',
] as const;

/**
 * Versions of the mamba-cl packages (and tfjs-core) as installed next to the bench app.
 *
 * @returns package name → version (`unknown` if its package.json cannot be read)
 * @category Runs
 */
export function packageVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      const path = require.resolve(`${name}/package.json`);
      out[name] = (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
    } catch {
      out[name] = 'unknown';
    }
  }
  return out;
}

/**
 * SHA-256 of a file, streamed (checkpoints can be large).
 *
 * @param path - file path
 * @returns lower-case hex digest
 * @category Runs
 */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
