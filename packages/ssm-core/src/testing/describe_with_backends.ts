import { createRequire } from 'node:module';
import { beforeAll, describe } from 'vitest';
import { BACKEND_PACKAGE, type BackendName, parseBackendList } from '../backend/backend_names.js';
import { selectBackend } from '../backend/select_backend.js';
import { findWebGpuAdapter } from '../backend/webgpu_loader.js';

const require = createRequire(import.meta.url);

/** Backends a conformance suite runs on by default: webgpu for suites that opt in, the native ones only when installed. */
const TEST_ORDER: readonly BackendName[] = ['cpu', 'wasm', 'webgpu', 'tensorflow-gpu', 'tensorflow'];

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

let webgpuProbe: Promise<string | undefined> | undefined;

/**
 * Why the `webgpu` backend cannot run tests here, or `undefined` when it can.
 *
 * **Details**
 * Checks that `@tensorflow/tfjs-backend-webgpu` is installed and that a WebGPU adapter exists
 * (Dawn's in Node, the browser's `navigator.gpu` elsewhere); a software adapter such as Mesa's
 * lavapipe counts, since tests check correctness, not speed. The probe runs once per process (test
 * file worker) and is cached. It does not load the tfjs backend package (which would make webgpu
 * tfjs's default backend for tests that select none).
 *
 * @returns the reason, e.g. `"no WebGPU adapter: …"`, or `undefined`
 * @category Testing
 */
export function webgpuUnavailableReason(): Promise<string | undefined> {
  webgpuProbe ??= (async () => {
    if (!isBackendInstalled('webgpu')) return `${BACKEND_PACKAGE.webgpu} is not installed`;
    try {
      await findWebGpuAdapter({ acceptSoftware: true });
      return undefined;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return /adapter/i.test(message) ? `no WebGPU adapter: ${message}` : `webgpu unavailable: ${message}`;
    }
  })();
  return webgpuProbe;
}

/**
 * Options of {@link describeWithBackends}.
 *
 * @category Testing
 */
export interface DescribeWithBackendsOptions {
  /**
   * Backends to sweep; default every installed one (cpu, wasm, webgpu when {@link DescribeWithBackendsOptions.webgpu} is set,
   * then the native ones), or the list in `MAMBA_CL_TEST_BACKENDS`. Naming `webgpu` here opts in.
   */
  readonly backends?: readonly BackendName[];
  /**
   * Sweep `webgpu` too (default `false`: a suite opts in).
   *
   * **Details**
   * Opt in only where it adds coverage and the tests suit it: under Node, tfjs-backend-webgpu has no
   * synchronous read-back (`dataSync`, `arraySync` and `expectTensorsClose` of a webgpu tensor throw,
   * for want of `OffscreenCanvas`), so a suite for webgpu reads with `await tensor.data()`; and on a
   * software adapter (lavapipe in CI) every kernel is slow, so a suite keeps its shapes small.
   */
  readonly webgpu?: boolean;
}

/**
 * One backend of a sweep: whether its block runs, or why it is skipped.
 *
 * @category Testing
 */
export interface SweepEntry {
  /** The backend. */
  readonly backend: BackendName;
  /** Why the block is skipped before anything is probed (package missing, suite not opted in), or `undefined`. */
  readonly skip?: string;
}

/**
 * The backends {@link describeWithBackends} sweeps, each with the reason it is skipped, if any.
 *
 * **Details**
 * The list is `options.backends`, else `MAMBA_CL_TEST_BACKENDS`, else the default order. Without
 * `webgpu: true` (or `webgpu` in `options.backends`), webgpu is left out of the default order and
 * appears skipped when `MAMBA_CL_TEST_BACKENDS` names it. `MAMBA_CL_TEST_WEBGPU=0` skips every
 * webgpu block, even of suites that name it. Whether a WebGPU adapter exists is probed
 * later, when the suite is collected ({@link webgpuUnavailableReason}).
 *
 * @param options - the suite's options
 * @param env - environment to read `MAMBA_CL_TEST_BACKENDS` from; default `process.env`
 * @returns the entries in sweep order
 * @example
 * sweepBackends({ webgpu: true }, {}).map((e) => e.backend); // ['cpu', 'wasm', 'webgpu', 'tensorflow-gpu', 'tensorflow']
 * @category Testing
 */
export function sweepBackends(
  options: DescribeWithBackendsOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): SweepEntry[] {
  const fromEnv = env.MAMBA_CL_TEST_BACKENDS;
  const named = options.backends !== undefined;
  const list =
    options.backends ?? (fromEnv ? parseBackendList(fromEnv, 'MAMBA_CL_TEST_BACKENDS') : TEST_ORDER);
  const webgpuIn = options.webgpu === true || (named && list.includes('webgpu'));
  const out: SweepEntry[] = [];
  const webgpuOff = env.MAMBA_CL_TEST_WEBGPU?.trim() === '0';
  for (const backend of list) {
    if (backend === 'webgpu' && webgpuIn && webgpuOff) {
      out.push({ backend, skip: 'MAMBA_CL_TEST_WEBGPU=0 turns the webgpu suites off' });
      continue;
    }
    if (backend === 'webgpu' && !webgpuIn) {
      if (fromEnv && !named)
        out.push({
          backend,
          skip: 'this suite does not sweep webgpu (describeWithBackends option webgpu: true)',
        });
      continue;
    }
    out.push(
      isBackendInstalled(backend)
        ? { backend }
        : { backend, skip: `${BACKEND_PACKAGE[backend]} is not installed` },
    );
  }
  return out;
}

/**
 * Runs a test suite once per available backend, skipping (and naming) the unavailable ones.
 *
 * **Details**
 * Each backend gets its own `describe` block titled `"<title> [<backend>]"` whose `beforeAll`
 * activates that backend through `selectBackend` (the one place that sets backends). Backends whose
 * package is not installed appear as skipped suites, so the report shows what was not covered.
 * `webgpu` is swept by suites that opt in (`webgpu: true`, see {@link DescribeWithBackendsOptions});
 * its block probes for an adapter when collected and, where there is none, holds the suite's tests
 * skipped under a block titled with the reason (e.g. `"no WebGPU adapter: …"`); a software adapter
 * (lavapipe) is used. `MAMBA_CL_TEST_BACKENDS=cpu` restricts a run to the listed backends;
 * `MAMBA_CL_TEST_WEBGPU=0` skips the webgpu blocks of every suite.
 *
 * @param title - suite title
 * @param body - defines the tests; receives the backend name
 * @param options - which backends to sweep; `webgpu: true` to include webgpu
 * @example
 * describeWithBackends('selectiveScan', (backend) => {
 *   it('matches the reference', async () => { ... await y.data() ... });
 * }, { webgpu: true });
 * @category Testing
 */
export function describeWithBackends(
  title: string,
  body: (backend: BackendName) => void,
  options: DescribeWithBackendsOptions = {},
): void {
  for (const { backend, skip } of sweepBackends(options)) {
    const name = `${title} [${backend}]`;
    if (skip !== undefined) {
      describe.skip(name, () => {
        describe(skip, () => body(backend));
      });
      continue;
    }
    if (backend === 'webgpu') {
      describe(name, async () => {
        const reason = await webgpuUnavailableReason();
        if (reason !== undefined) {
          describe.skip(reason, () => body(backend));
          return;
        }
        beforeAll(async () => {
          await selectBackend(backend);
        });
        body(backend);
      });
      continue;
    }
    describe(name, () => {
      beforeAll(async () => {
        await selectBackend(backend);
      });
      body(backend);
    });
  }
}
