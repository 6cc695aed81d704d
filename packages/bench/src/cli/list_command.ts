import { BACKEND_PACKAGE, probeBackends } from '@mamba-cl/ssm-core/backend';
import { BENCHMARKS } from '../presets/preset_registry.js';
import { textTable } from '../report/render_report.js';
import { modelPresetNames, strategyIds } from '../wiring/available.js';
import { CliError } from './cli_error.js';
import { HELP } from './help.js';
import { parseCli } from './parse_cli.js';

const TOPICS = ['benchmarks', 'strategies', 'models', 'backends'] as const;

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
    help: { type: 'boolean', short: 'h' },
  });
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
      `${p.numTasks}×${p.numClasses / p.numTasks}`,
      p.model,
      `η ${p.train.eta}`,
      p.title,
    ]);
    data.benchmarks = BENCHMARKS.list();
    lines.push('Benchmarks', textTable(['id', 'tasks', 'model', 'eta', 'what'], rows), '');
  }
  if (want.includes('strategies')) {
    const ids = await strategyIds();
    data.strategies = ids;
    lines.push('Strategies', ids.length ? ids.map((s) => `  ${s}`).join('\n') : '  (none registered)', '');
  }
  if (want.includes('models')) {
    const models = await modelPresetNames();
    data.models = models;
    lines.push(
      'Models (@mamba-cl/ssm-core MODEL_PRESETS)',
      models.map((m) => `  ${m}`).join('\n') || '  (none)',
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
        attempts.map((a) => [a.name, BACKEND_PACKAGE[a.name], a.ok ? 'yes' : 'no', a.reason]),
      ),
      '',
    );
  }
  if (values.json) log(JSON.stringify(data, null, 2));
  else log(lines.join('\n').trimEnd());
  return data;
}
