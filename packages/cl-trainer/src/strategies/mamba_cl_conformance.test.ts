import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStrategyConformance } from '../testing/strategy_conformance.js';

runStrategyConformance('mamba-cl');
runStrategyConformance('nscl');
runStrategyConformance('mamba-cl', {
  options: {
    store: 'disk',
    storeDir: join(mkdtempSync(join(tmpdir(), 'mamba-cl-store-')), 'projectors'),
    apply: 'dense',
  },
  title: 'Strategy conformance: mamba-cl (disk store, dense)',
});
