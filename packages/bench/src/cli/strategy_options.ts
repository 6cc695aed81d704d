/**
 * `--option <strategy>.<key>=<value>`: parsing, merging and validation of per-strategy options.
 *
 * Pure functions, shared by `mamba-cl run`, run config files and the sweep command.
 *
 * @module
 */
import type { JsonValue, StrategyDefinition } from '@mamba-cl/cl-trainer';
import { CliError } from './cli_error.js';

/**
 * Options of every strategy of a run, by strategy id then key (JSON values).
 *
 * @category CLI
 */
export type StrategyOptionMap = Readonly<Record<string, Readonly<Record<string, JsonValue>>>>;

/**
 * One parsed `--option` value.
 *
 * @category CLI
 */
export interface StrategyOptionSetting {
  readonly strategy: string;
  readonly key: string;
  readonly value: JsonValue;
}

/**
 * Parses `<strategy>.<key>=<value>`; the value is JSON where it parses (`10`, `true`, `[1,2]`,
 * `{"kind":"ratio"}`), else the plain string (`online`).
 *
 * **Details**
 * The strategy id is everything before the LAST dot of the part left of `=` (ids may hold dashes
 * but not dots; keys hold neither).
 *
 * @param text - the flag value, e.g. `ewc.lambda=10`
 * @returns strategy, key and value
 * @throws {@link CliError} naming the expected form
 * @example
 * parseStrategyOption('ewc.mode=online'); // { strategy: 'ewc', key: 'mode', value: 'online' }
 * @category CLI
 */
export function parseStrategyOption(text: string): StrategyOptionSetting {
  const eq = text.indexOf('=');
  const left = eq < 0 ? text : text.slice(0, eq);
  const dot = left.lastIndexOf('.');
  if (eq < 0 || dot <= 0 || dot === left.length - 1) {
    throw new CliError(
      `--option ${text}: expected <strategy>.<key>=<value>`,
      'e.g. --option ewc.lambda=10 --option mamba-cl.threshold=\'{"kind":"ratio","ratio":0.01}\'',
    );
  }
  const raw = text.slice(eq + 1);
  let value: JsonValue;
  try {
    value = JSON.parse(raw) as JsonValue;
  } catch {
    value = raw;
  }
  return { strategy: left.slice(0, dot).trim(), key: left.slice(dot + 1).trim(), value };
}

/**
 * Folds `--option` values into a map; a later value of the same key wins.
 *
 * @param texts - the flag values in command-line order
 * @param base - options already set (e.g. by a config file)
 * @returns the merged map
 * @category CLI
 */
export function collectStrategyOptions(
  texts: readonly string[],
  base: StrategyOptionMap = {},
): StrategyOptionMap {
  const out: Record<string, Record<string, JsonValue>> = {};
  for (const [s, o] of Object.entries(base)) out[s] = { ...o };
  for (const t of texts) {
    const { strategy, key, value } = parseStrategyOption(t);
    out[strategy] = { ...(out[strategy] ?? {}), [key]: value };
  }
  return out;
}

/**
 * Checks a run's strategy options against the strategies' own descriptions.
 *
 * **Details**
 * Every strategy named must be one the run trains; every key must be one its definition lists in
 * `options` (strategies without that description are checked by their factory only). Then each
 * strategy is created once with its options and disposed, so a bad value (`ewc.lambda=-1`) fails
 * before any data is read, with the strategy's own message.
 *
 * @param options - the options by strategy
 * @param strategies - the strategies of the run
 * @param definition - looks a definition up by id (the registry)
 * @throws {@link CliError} naming the strategy, the key and the known keys
 * @category CLI
 */
export function validateStrategyOptions(
  options: StrategyOptionMap,
  strategies: readonly string[],
  definition: (id: string) => StrategyDefinition | undefined,
): void {
  for (const [id, opts] of Object.entries(options)) {
    if (!strategies.includes(id)) {
      throw new CliError(
        `--option ${id}.${Object.keys(opts)[0] ?? ''}: strategy "${id}" is not part of this run`,
        `strategies of this run: ${strategies.join(', ')} (add it with --strategy ${id})`,
      );
    }
    const def = definition(id);
    if (def === undefined) continue;
    const known = def.options === undefined ? undefined : Object.keys(def.options);
    if (known !== undefined) {
      for (const key of Object.keys(opts)) {
        if (!known.includes(key)) {
          throw new CliError(
            `--option ${id}.${key}: strategy "${id}" has no option "${key}"`,
            known.length
              ? `known options of ${id}: ${known.join(', ')}`
              : `strategy "${id}" takes no options`,
          );
        }
      }
    }
    try {
      def.create({ ...opts }).dispose();
    } catch (err) {
      throw new CliError(
        `--option ${id}.${Object.keys(opts).join(',')}: ${err instanceof Error ? err.message : String(err)}`,
        known?.length ? `known options of ${id}: ${describeOptions(def)}` : undefined,
      );
    }
  }
}

/**
 * One line per option of a strategy: `key (type, default d): what`.
 *
 * @category CLI
 */
export function describeOptions(def: StrategyDefinition): string {
  if (def.options === undefined) return '(not described)';
  const entries = Object.entries(def.options);
  if (entries.length === 0) return '—';
  return entries
    .map(([k, o]) => `${k}${o.default !== undefined ? `=${JSON.stringify(o.default)}` : ''}`)
    .join(', ');
}
