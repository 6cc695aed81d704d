/**
 * The built-in strategies, as a plain array, and the default registry fed from it.
 *
 * @module
 */

import type { Strategy } from '../strategy/strategy.js';
import {
  type StrategyDefinition,
  type StrategyOptions,
  sharedStrategyRegistry,
} from '../strategy/strategy_registry.js';
import { EWC_STRATEGY } from './ewc.js';
import { FINETUNE_STRATEGY } from './finetune.js';
import { JOINT_STRATEGY } from './joint.js';
import { LWF_STRATEGY } from './lwf.js';
import { MAMBA_CL_STRATEGY, NSCL_STRATEGY } from './mamba_cl.js';

/** Every built-in strategy, in listing order. @category Strategy */
export const BUILTIN_STRATEGIES: readonly StrategyDefinition[] = [
  MAMBA_CL_STRATEGY,
  FINETUNE_STRATEGY,
  JOINT_STRATEGY,
  EWC_STRATEGY,
  LWF_STRATEGY,
  NSCL_STRATEGY,
];

// Process-wide (a globalThis slot): a plug-in's own copy of this package registers into the same one.
const defaultRegistry = sharedStrategyRegistry(BUILTIN_STRATEGIES);

/**
 * Registers a strategy in the default registry.
 *
 * @param definition - id, description, factory
 * @throws `Error` if the id is already registered
 * @example
 * registerStrategy({ id: 'my-reg', description: 'L2 to the old weights', create: (o) => createMyReg(o) });
 * @category Strategy
 */
export function registerStrategy(definition: StrategyDefinition): void {
  defaultRegistry.register(definition);
}

/**
 * Makes a strategy of the default registry.
 *
 * @param id - strategy id
 * @param options - strategy options (JSON)
 * @returns a fresh instance
 * @throws `Error` for an unknown id, listing the known ones, or a bad option
 * @example
 * const s = createStrategy('mamba-cl', { eta: 0.9 });
 * @category Strategy
 */
export function createStrategy(id: string, options: StrategyOptions = {}): Strategy {
  return defaultRegistry.create(id, options);
}

/**
 * Lists the strategies of the default registry.
 *
 * @returns id and description of each
 * @category Strategy
 */
export function listStrategies(): { id: string; description: string }[] {
  return defaultRegistry.list().map((d) => ({ id: d.id, description: d.description }));
}

/**
 * The full definition of a strategy of the default registry (with its `options` description).
 *
 * @param id - strategy id
 * @returns the definition
 * @throws `Error` for an unknown id, listing the known ones
 * @example
 * Object.keys(getStrategyDefinition('ewc').options ?? {}); // ['lambda', 'mode', 'gamma']
 * @category Strategy
 */
export function getStrategyDefinition(id: string): StrategyDefinition {
  return defaultRegistry.get(id);
}
