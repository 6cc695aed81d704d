import { MODEL_PRESETS } from '@mamba-cl/ssm-core';
import { BACKEND_PACKAGE, type BackendAttempt, probeBackends } from '@mamba-cl/ssm-core/backend';
import { loadedPlugins, loadPlugins } from '../plugins/load_plugins.js';
import { BENCHMARKS } from '../presets/preset_registry.js';
import { textTable } from '../report/render_report.js';
import { modelPresetNames } from '../wiring/available.js';
import { CliError } from './cli_error.js';
import { HELP } from './help.js';
import { parseCli } from './parse_cli.js';
import { describeOptions } from './strategy_options.js';

const TOPICS = ['benchmarks', 'strategies', 'models', 'backends'] as const;

/** `yes`, `no`, or `if named` for a software WebGPU adapter (auto skips it; --backend webgpu uses it). */
function availability(a: BackendAttempt): string {
  if (a.ok) return 'yes';
  return a.adapter?.software ? 'if named' : 'no';
}

/**
 * `mamba-cl list [topic]`: benchmarks, strategies, models and the backends that load here.
 *
 * @param argv - arguments after `list`
 * @param log - where lines go
 * @returns the listed data (also what `--json` prints)
 * @category CLI
 */
export async function listCommand(
  argv: readonly string[],
  log: (line: string) => void = console.log,
): Promise<Record<string, unknown>> {
  const { values, positionals } = parseCli('list', argv, {
    json: { type: 'boolean' },
    plugin: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  });
  const trainer = await import('@mamba-cl/cl-trainer');
  await loadPlugins((values.plugin as string[] | undefined) ?? [], trainer);
  const origin = (kind: 'strategies' | 'benchmarks', id: string) =>
    loadedPlugins().find((p) => p[kind].includes(id))?.spec ?? 'built-in';
  if (values.help) {
    log(HELP.list());
    return {};
  }
  for (const p of positionals) {
    if (!(TOPICS as readonly string[]).includes(p)) {
      throw new CliError(`list: unknown topic "${p}"`, `topics: ${TOPICS.join(', ')}`);
    }
  }
  const want = positionals.length ? positionals : [...TOPICS];
  const data: Record<string, unknown> = {};
  const lines: string[] = [];
  if (want.includes('benchmarks')) {
    const rows = BENCHMARKS.list().map((p) => [
      p.id,
      p.dataset === 'folder' ? '--tasks' : `${p.numTasks}×${p.numClasses / p.numTasks}`,
      p.model,
      `η ${p.train.eta}`,
      p.title,
      origin('benchmarks', p.id),
    ]);
    data.benchmarks = BENCHMARKS.list().map((p) => ({ ...p, from: origin('benchmarks', p.id) }));
    lines.push('Benchmarks', textTable(['id', 'tasks', 'model', 'eta', 'what', 'from'], rows), '');
  }
  if (want.includes('strategies')) {
    const defs = trainer.listStrategies().map((s) => trainer.getStrategyDefinition(s.id));
    data.strategies = defs.map((d) => ({
      id: d.id,
      description: d.description,
      options: d.options ?? null,
      from: origin('strategies', d.id),
    }));
    lines.push(
      'Strategies (--strategy; options: --option <strategy>.<key>=<value>)',
      defs.length
        ? textTable(
            ['id', 'what', 'options (default)', 'from'],
            defs.map((d) => [d.id, d.description, describeOptions(d), origin('strategies', d.id)]),
          )
        : '  (none registered)',
      '',
    );
  }
  if (want.includes('models')) {
    const names = await modelPresetNames();
    const rows = names.map((n) => {
      const c = MODEL_PRESETS[n as keyof typeof MODEL_PRESETS];
      return [
        n,
        `${c.imgSize}×${c.imgSize}×${c.inChans}`,
        String(c.patchSize),
        String(c.dModel),
        String(c.depth),
        String(c.dInner),
        String(c.dState),
      ];
    });
    data.models = Object.fromEntries(names.map((n) => [n, MODEL_PRESETS[n as keyof typeof MODEL_PRESETS]]));
    lines.push(
      'Models (--model; or a .json file with a VisionMambaConfig)',
      textTable(['name', 'image', 'patch', 'dModel', 'depth', 'dInner', 'dState'], rows),
      '',
    );
  }
  if (want.includes('backends')) {
    const attempts = await probeBackends();
    data.backends = attempts;
    lines.push(
      'Backends on this machine (tried in this order by default; force with --backend or MAMBA_CL_BACKEND)',
      textTable(
        ['backend', 'package', 'available', 'detail'],
        attempts.map((a) => [a.name, BACKEND_PACKAGE[a.name], availability(a), a.reason]),
      ),
      '',
    );
  }
  if (values.json) log(JSON.stringify(data, null, 2));
  else log(lines.join('\n').trimEnd());
  return data;
}
