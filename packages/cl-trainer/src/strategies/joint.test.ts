import { runStrategyConformance } from '../testing/strategy_conformance.js';

runStrategyConformance('joint');
