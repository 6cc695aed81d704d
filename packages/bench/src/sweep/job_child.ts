/**
 * Entry point of the child process that runs one sweep job: `mamba-cl <args>` that also ends when
 * its parent (the pool or the queue worker) dies, so a killed worker never leaves an orphan
 * training in a run folder that another worker is about to resume.
 *
 * @module
 */
import { main } from '../cli/main.js';

// The parent holds an IPC channel to this process; it closes when the parent exits for any reason,
// kill -9 included. SIGTERM lets the CLI checkpoint where it can, then the default action ends it.
if (process.send) {
  process.on('disconnect', () => {
    process.kill(process.pid, 'SIGTERM');
  });
}

const code = await main(process.argv.slice(2));
process.exit(code);
