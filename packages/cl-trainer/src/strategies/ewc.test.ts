import { runStrategyConformance } from '../testing/strategy_conformance.js';

runStrategyConformance('ewc');
runStrategyConformance('ewc', {
  options: { mode: 'online', gamma: 0.9 },
  title: 'Strategy conformance: ewc (online)',
});
