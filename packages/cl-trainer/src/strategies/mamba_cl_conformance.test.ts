import { runStrategyConformance } from '../testing/strategy_conformance.js';

runStrategyConformance('mamba-cl');
runStrategyConformance('nscl');
