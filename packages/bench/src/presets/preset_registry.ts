import type { BenchmarkPreset } from './benchmark_preset.js';
import { BUILTIN_PRESETS } from './builtin_presets.js';
import { FOLDER_PRESET } from './folder_preset.js';

/**
 * A registry of benchmark presets, fed from a plain array.
 *
 * **Details**
 * Registering a duplicate id throws; asking for an unknown id throws a `RangeError` listing the
 * known ids.
 *
 * @example
 * const registry = new PresetRegistry(BUILTIN_PRESETS);
 * registry.get('cifar100-10').train.eta; // 0.95
 * @category Presets
 */
export class PresetRegistry {
  readonly #byId = new Map<string, BenchmarkPreset>();

  /** @param presets - the presets, in listing order */
  constructor(presets: readonly BenchmarkPreset[] = []) {
    for (const p of presets) this.register(p);
  }

  /** Adds a preset; throws if its id is taken. */
  register(preset: BenchmarkPreset): void {
    if (this.#byId.has(preset.id)) {
      throw new Error(`PresetRegistry: duplicate benchmark id "${preset.id}"`);
    }
    if (preset.numClasses % preset.numTasks !== 0) {
      throw new Error(
        `PresetRegistry: benchmark "${preset.id}" has ${preset.numClasses} classes, not divisible into ${preset.numTasks} tasks`,
      );
    }
    this.#byId.set(preset.id, preset);
  }

  /** The preset with this id; throws a `RangeError` listing the known ids otherwise. */
  get(id: string): BenchmarkPreset {
    const p = this.#byId.get(id);
    if (p === undefined) {
      throw new RangeError(`unknown benchmark "${id}"; known benchmarks: ${this.ids().join(', ')}`);
    }
    return p;
  }

  /** Whether the id is registered. */
  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** Every id, in registration order. */
  ids(): string[] {
    return [...this.#byId.keys()];
  }

  /** Every preset, in registration order. */
  list(): BenchmarkPreset[] {
    return [...this.#byId.values()];
  }
}

/**
 * The registry of the built-in presets ({@link BUILTIN_PRESETS}) and the `folder` benchmark over a
 * user's own images ({@link FOLDER_PRESET}, made concrete per run by `folderPreset`); plug-ins add
 * theirs with `register`.
 *
 * @category Presets
 */
export const BENCHMARKS = new PresetRegistry([...BUILTIN_PRESETS, FOLDER_PRESET]);
