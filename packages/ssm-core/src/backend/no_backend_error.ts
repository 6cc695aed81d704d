import type { BackendName } from './backend_names.js';
import type { WebGpuAdapterInfo } from './webgpu_adapter.js';

/**
 * What happened when one backend was tried.
 *
 * @category Backend
 */
export interface BackendAttempt {
  /** The backend tried. */
  readonly name: BackendName;
  /** Whether it was loaded and activated. */
  readonly ok: boolean;
  /** Why it was skipped or failed; for the chosen backend, a short description. */
  readonly reason: string;
  /** For `webgpu`: the adapter found, whether it was used or skipped (a software one, through `auto`). */
  readonly adapter?: WebGpuAdapterInfo;
}

/**
 * Thrown by `selectBackend` when no candidate backend could be activated.
 *
 * **Details**
 * The message lists every backend tried and why each failed, one `[name] reason` per line, so a
 * user sees at once what to install or fix.
 *
 * @category Backend
 */
export class NoBackendError extends Error {
  override readonly name = 'NoBackendError';
  /** Every attempt, in the order tried. */
  readonly attempts: readonly BackendAttempt[];

  constructor(attempts: readonly BackendAttempt[]) {
    super(
      `no tfjs backend could be activated; tried:\n${attempts.map((a) => `  [${a.name}] ${a.reason}`).join('\n')}`,
    );
    this.attempts = attempts;
  }
}
