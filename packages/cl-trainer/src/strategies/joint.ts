/**
 * `joint`: the upper bound, trained on all data seen so far.
 *
 * @module
 */
import type { Strategy, StrategyContext, StrategyState } from '../strategy/strategy.js';
import {
  checkOptionKeys,
  type StrategyDefinition,
  type StrategyOptions,
} from '../strategy/strategy_registry.js';

/**
 * Creates the `joint` strategy (incremental joint training, the upper bound).
 *
 * **Details**
 * At task t every epoch reads the union of the training data of tasks 0..t (`trainingTasks`,
 * shuffled together by the stream; `expandTimes` passes over the union), the loss is the
 * cross-entropy over the concatenated heads of tasks 0..t with labels indexed into that
 * concatenation (`lossScope: 'seen'`), and all seen heads train (group `head`) together with the
 * official backbone trainable set. Same epochs, schedule and optimizer as the other strategies (a
 * fresh optimizer per task), so steps per task grow with t. Nothing is projected or regularised.
 * Evaluation is the same as for every strategy (argmax over all seen classes).
 *
 * @param options - none
 * @category Strategies
 */
export function createJointStrategy(options: StrategyOptions = {}): Strategy {
  checkOptionKeys(options, [], 'joint');
  return {
    id: 'joint',
    options: {},
    lossScope: 'seen',
    trainingTasks: (ctx: StrategyContext) => Array.from({ length: ctx.task + 1 }, (_, i) => i),
    saveState: (): StrategyState => ({ meta: null, arrays: {} }),
    loadState: () => {},
    dispose: () => {},
  };
}

/** Registry entry of `joint`. @category Strategies */
export const JOINT_STRATEGY: StrategyDefinition = {
  id: 'joint',
  description: 'Trains on the union of all seen tasks with all seen heads (upper bound)',
  create: createJointStrategy,
  options: {},
};
