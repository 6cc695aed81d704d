/**
 * What the installed libraries offer: strategy ids and model presets, read from their public
 * exports.
 *
 * @module
 */
import { MODEL_PRESETS } from '@mamba-cl/ssm-core';

/** Strategy ids (and descriptions) registered in `@mamba-cl/cl-trainer`. */
export async function strategyList(): Promise<{ id: string; description: string }[]> {
  const mod = (await import('@mamba-cl/cl-trainer')) as Record<string, unknown>;
  const list = mod.listStrategies;
  return typeof list === 'function' ? (list() as { id: string; description: string }[]) : [];
}

/** Strategy ids registered in `@mamba-cl/cl-trainer`. */
export async function strategyIds(): Promise<string[]> {
  return (await strategyList()).map((s) => s.id);
}

/** Model preset names of `@mamba-cl/ssm-core`. */
export async function modelPresetNames(): Promise<string[]> {
  return Object.keys(MODEL_PRESETS);
}
