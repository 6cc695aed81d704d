import { CliError } from './cli_error.js';

/**
 * Splits repeatable / comma-separated flag values: `['a,b', 'c']` → `['a', 'b', 'c']`.
 *
 * @category CLI
 */
export function splitList(values: string | readonly string[] | undefined): string[] {
  if (values === undefined) return [];
  const arr = typeof values === 'string' ? [values] : values;
  return arr
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/**
 * Parses a flag value as an integer ≥ min.
 *
 * @category CLI
 */
export function parseIntFlag(flag: string, text: string, min = 1): number {
  const t = text.trim();
  if (!/^[-+]?\d+$/.test(t)) throw new CliError(`--${flag}: "${text}" is not an integer`);
  const v = Number(t);
  if (!Number.isSafeInteger(v) || v < min)
    throw new CliError(`--${flag}: ${text} must be an integer ≥ ${min}`);
  return v;
}

/**
 * Parses a flag value as a finite number in [min, max] (`exclusiveMin` makes the bound strict).
 *
 * @category CLI
 */
export function parseNumberFlag(
  flag: string,
  text: string,
  range: { min?: number; max?: number; exclusiveMin?: boolean } = {},
): number {
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(v)) throw new CliError(`--${flag}: "${text}" is not a number`);
  const { min, max, exclusiveMin } = range;
  if (min !== undefined && (exclusiveMin ? v <= min : v < min)) {
    throw new CliError(`--${flag}: ${text} must be ${exclusiveMin ? '>' : '≥'} ${min}`);
  }
  if (max !== undefined && v > max) throw new CliError(`--${flag}: ${text} must be ≤ ${max}`);
  return v;
}

/**
 * Parses a list of integers (`5,8`), each ≥ min.
 *
 * @category CLI
 */
export function parseIntList(
  flag: string,
  values: string | readonly string[] | undefined,
  min = 0,
): number[] {
  return splitList(values).map((v) => parseIntFlag(flag, v, min));
}
