import { createRequire } from 'node:module';
import { beforeAll, describe } from 'vitest';
import { BACKEND_PACKAGE, type BackendName, parseBackendList } from '../backend/backend_names.js';
import { selectBackend } from '../backend/select_backend.js';

const require = createRequire(import.meta.url);

/** Backends a conformance suite runs on by default: the native ones only when installed. */
const TEST_ORDER: readonly BackendName[] = ['cpu', 'wasm', 'tensorflow-gpu', 'tensorflow'];

/**
 * Whether a backend's package is installed here (a cheap synchronous check made when tests are
 * collected; the backend is activated, and any failure reported, in `beforeAll`).
 *
 * @category Testing
 */
export function isBackendInstalled(name: BackendName): boolean {
  try {
    require.resolve(BACKEND_PACKAGE[name]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Options of {@link describeWithBackends}.
 *
 * @category Testing
 */
export interface DescribeWithBackendsOptions {
  /** Backends to sweep; default every installed one (cpu, wasm, then the native ones), or the list in `MAMBA_CL_TEST_BACKENDS`. */
  readonly backends?: readonly BackendName[];
}

/**
 * Runs a test suite once per available backend, skipping (and naming) the unavailable ones.
 *
 * **Details**
 * Each backend gets its own `describe` block titled `"<title> [<backend>]"` whose `beforeAll`
 * activates that backend through `selectBackend` (the one place that sets backends). Backends whose
 * package is not installed appear as skipped suites, so the report shows what was not covered.
 * `MAMBA_CL_TEST_BACKENDS=cpu` restricts a run to the listed backends.
 *
 * @param title - suite title
 * @param body - defines the tests; receives the backend name
 * @example
 * describeWithBackends('selectiveScan', (backend) => {
 *   it('matches the reference', () => { ... });
 * });
 * @category Testing
 */
export function describeWithBackends(
  title: string,
  body: (backend: BackendName) => void,
  options: DescribeWithBackendsOptions = {},
): void {
  const fromEnv = process.env.MAMBA_CL_TEST_BACKENDS;
  const backends =
    options.backends ?? (fromEnv ? parseBackendList(fromEnv, 'MAMBA_CL_TEST_BACKENDS') : TEST_ORDER);
  for (const backend of backends) {
    describe.skipIf(!isBackendInstalled(backend))(`${title} [${backend}]`, () => {
      beforeAll(async () => {
        await selectBackend(backend);
      });
      body(backend);
    });
  }
}
