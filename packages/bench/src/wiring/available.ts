/**
 * What the installed libraries offer: strategy ids and model presets. Read from the libraries'
 * public exports (looked up by name so that the CLI still lists the rest while a library is older).
 *
 * @module
 */

function idsOf(x: unknown): string[] | undefined {
  if (x === null || typeof x !== 'object') return undefined;
  const r = x as { ids?: () => unknown; list?: () => unknown; keys?: () => unknown };
  if (typeof r.ids === 'function') return [...(r.ids() as Iterable<string>)];
  if (Array.isArray(x)) return x.map((e) => (typeof e === 'string' ? e : (e as { id: string }).id));
  return undefined;
}

/** Strategy ids registered in `@mamba-cl/cl-trainer`. */
export async function strategyIds(): Promise<string[]> {
  const mod = (await import('@mamba-cl/cl-trainer')) as Record<string, unknown>;
  for (const key of ['STRATEGIES', 'strategyRegistry', 'defaultStrategyRegistry', 'BUILTIN_STRATEGIES']) {
    const ids = idsOf(mod[key]);
    if (ids) return ids;
  }
  return [];
}

/** Model preset names of `@mamba-cl/ssm-core`. */
export async function modelPresetNames(): Promise<string[]> {
  const mod = (await import('@mamba-cl/ssm-core')) as Record<string, unknown>;
  const presets = mod.MODEL_PRESETS;
  return presets && typeof presets === 'object' ? Object.keys(presets) : [];
}
