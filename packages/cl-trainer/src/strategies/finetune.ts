/**
 * `finetune`: the lower bound. The official trainable set, plain Adam, no protection.
 *
 * @module
 */
import type { Strategy, StrategyState } from '../strategy/strategy.js';
import {
  checkOptionKeys,
  type StrategyDefinition,
  type StrategyOptions,
} from '../strategy/strategy_registry.js';

/**
 * Creates the `finetune` strategy: trains the same parameters as Mamba-CL (spec §2) with no
 * projection, regulariser or replay, so it forgets freely (the lower bound).
 *
 * @param options - none
 * @returns the strategy
 * @example
 * const s = createFinetuneStrategy();
 * @category Strategies
 */
export function createFinetuneStrategy(options: StrategyOptions = {}): Strategy {
  checkOptionKeys(options, [], 'finetune');
  return {
    id: 'finetune',
    options: {},
    saveState: (): StrategyState => ({ meta: null, arrays: {} }),
    loadState: () => {},
    dispose: () => {},
  };
}

/** Registry entry of `finetune`. @category Strategies */
export const FINETUNE_STRATEGY: StrategyDefinition = {
  id: 'finetune',
  description: 'Same trainable parameters as Mamba-CL, no protection (lower bound)',
  create: createFinetuneStrategy,
  options: {},
};
