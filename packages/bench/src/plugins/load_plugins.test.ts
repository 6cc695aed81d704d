import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as trainer from '@mamba-cl/cl-trainer';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCHMARKS } from '../presets/preset_registry.js';
import { loadedPlugins, loadPlugins, resolvePlugin } from './load_plugins.js';

const dir = mkdtempSync(join(tmpdir(), 'plugins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A plug-in that exports definitions (no imports: the CLI registers them).
const STRATEGY_SRC = (id: string) => `
export const strategies = [{
  id: '${id}',
  description: 'test plug-in strategy',
  options: { k: { type: 'number', default: 1, description: 'a knob' } },
  create: (o) => ({ id: '${id}', options: { k: o.k ?? 1 }, saveState: () => ({ meta: null, arrays: {} }), loadState() {}, dispose() {} }),
}];
`;

describe('--plugin', () => {
  it('registers exported strategies and benchmarks, and remembers what each plug-in added', async () => {
    writeFileSync(join(dir, 'exports.mjs'), STRATEGY_SRC('plugin-exported'));
    const preset = { ...BENCHMARKS.get('default'), id: 'plugin-bench', title: 'from a plug-in' };
    writeFileSync(join(dir, 'bench.mjs'), `export default { benchmarks: [${JSON.stringify(preset)}] };`);
    const loaded = await loadPlugins(['./exports.mjs', './bench.mjs'], trainer, dir);
    expect(loaded.map((p) => [p.strategies, p.benchmarks])).toEqual([
      [['plugin-exported'], []],
      [[], ['plugin-bench']],
    ]);
    expect(trainer.createStrategy('plugin-exported', { k: 3 }).options).toEqual({ k: 3 });
    expect(trainer.getStrategyDefinition('plugin-exported').options).toHaveProperty('k');
    expect(BENCHMARKS.get('plugin-bench').title).toBe('from a plug-in');
    expect(loadedPlugins().map((p) => p.spec)).toEqual(['./exports.mjs', './bench.mjs']);
    // Loading the same file again is a no-op.
    expect((await loadPlugins([join(dir, 'exports.mjs')], trainer, dir))[0].strategies).toEqual([
      'plugin-exported',
    ]);
  });

  it('resolves an installed package by name from the working folder', async () => {
    const pkg = join(dir, 'node_modules', 'my-cl-plugin');
    mkdirSync(join(pkg, 'lib'), { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: 'my-cl-plugin',
        type: 'module',
        exports: { '.': { import: './lib/index.js' } },
      }),
    );
    writeFileSync(join(pkg, 'lib', 'index.js'), STRATEGY_SRC('plugin-from-package'));
    expect(resolvePlugin('my-cl-plugin', dir)).toBe(join(pkg, 'lib', 'index.js'));
    const [p] = await loadPlugins(['my-cl-plugin'], trainer, dir);
    expect(p.strategies).toEqual(['plugin-from-package']);
  });

  it('explains each way a plug-in can be wrong', async () => {
    await expect(loadPlugins(['./nope.mjs'], trainer, dir)).rejects.toThrow(
      /--plugin \.\/nope\.mjs: .*nope\.mjs does not exist/,
    );
    await expect(loadPlugins(['not-installed-pkg'], trainer, dir)).rejects.toThrow(
      /no package "not-installed-pkg" is installed/,
    );
    writeFileSync(join(dir, 'empty.mjs'), 'export const x = 1;');
    await expect(loadPlugins(['./empty.mjs'], trainer, dir)).rejects.toThrow(
      /added no strategy and no benchmark/,
    );
    writeFileSync(join(dir, 'broken.mjs'), 'throw new Error("boom");');
    await expect(loadPlugins(['./broken.mjs'], trainer, dir)).rejects.toThrow(
      /importing .*broken\.mjs failed: boom/,
    );
    writeFileSync(join(dir, 'clash.mjs'), STRATEGY_SRC('ewc'));
    await expect(loadPlugins(['./clash.mjs'], trainer, dir)).rejects.toThrow(/"ewc" is already registered/);
    writeFileSync(join(dir, 'bad.mjs'), 'export const strategies = [{ id: 3 }];');
    await expect(loadPlugins(['./bad.mjs'], trainer, dir)).rejects.toThrow(/is not a StrategyDefinition/);
  });
});
