import { Worker } from 'node:worker_threads';

/** The export condition that makes workspace packages resolve to their TypeScript sources. */
const SOURCE_CONDITION = '@mamba-cl/source';

/**
 * The `--conditions` / `-C` flags of a process's `execArgv`, in `--conditions=name` form.
 *
 * @param execArgv - e.g. `process.execArgv`
 * @returns the condition flags only (other flags such as `--import` or `--inspect` are dropped)
 * @example
 * conditionFlags(['--conditions', 'a', '--import', 'tsx', '-C=b']); // ['--conditions=a', '--conditions=b']
 * @internal
 */
export function conditionFlags(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i];
    const m = /^(?:--conditions|-C)=(.+)$/.exec(a);
    if (m) out.push(`--conditions=${m[1]}`);
    else if ((a === '--conditions' || a === '-C') && i + 1 < execArgv.length) {
      out.push(`--conditions=${execArgv[i + 1]}`);
      i++;
    }
  }
  return out;
}

/**
 * Starts one gradient worker thread running `gradient_worker`, from the built `.js` or from the
 * TypeScript source, whichever this module is.
 *
 * **Details**
 * From `dist`, the worker runs `./gradient_worker.js` beside this file. From the TypeScript
 * sources (vitest, `node --import tsx`), Node 20 does not apply `--import` to worker threads, so
 * the worker starts from a small ES-module bootstrap that registers tsx's loader
 * (`tsx/esm/api`, resolved from here) and then imports `./gradient_worker.ts`; it gets
 * `--conditions=@mamba-cl/source`. In both cases the worker keeps the parent's `--conditions`
 * flags and none of its other flags.
 *
 * @returns the running worker (its messages follow `gradient_worker_messages.ts`)
 * @throws `Error` when running from sources without tsx installed
 * @example
 * const worker = spawnGradientWorker();
 * @internal
 */
export function spawnGradientWorker(): Worker {
  const moduleUrl = import.meta.url;
  const execArgv = conditionFlags(process.execArgv);
  if (!moduleUrl.endsWith('.ts')) {
    return new Worker(new URL('./gradient_worker.js', moduleUrl), { execArgv });
  }
  let tsxApi: string;
  try {
    tsxApi = import.meta.resolve('tsx/esm/api');
  } catch (err) {
    throw new Error(
      `spawnGradientWorker: running from TypeScript sources (${moduleUrl}) needs the 'tsx' package to load the worker, and it could not be resolved: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const target = new URL('./gradient_worker.ts', moduleUrl).href;
  const bootstrap = [
    `const { register } = await import(${JSON.stringify(tsxApi)});`,
    'register();',
    `await import(${JSON.stringify(target)});`,
  ].join('\n');
  if (!execArgv.includes(`--conditions=${SOURCE_CONDITION}`))
    execArgv.push(`--conditions=${SOURCE_CONDITION}`);
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { execArgv });
}
