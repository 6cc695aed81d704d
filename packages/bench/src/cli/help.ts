import { BENCHMARKS } from '../presets/preset_registry.js';

const benchList = () =>
  BENCHMARKS.list()
    .map((p) => `  ${p.id.padEnd(15)} ${p.title}`)
    .join('\n');

/**
 * Help text of each command (`mamba-cl <command> --help`).
 *
 * @category CLI
 */
export const HELP: Readonly<Record<'main' | 'run' | 'list' | 'report' | 'perf', () => string>> = {
  main: () => `mamba-cl: class-incremental benchmarks of Mamba-CL (null-space SSM fine-tuning) on TensorFlow.js

Usage: mamba-cl <command> [options]

Commands:
  run <benchmark>      train and evaluate strategies on a benchmark; writes a run folder
  list                 benchmarks, strategies, models and the backends available here
  report <run-dir...>  re-render report.md and plots of run folders; several runs → mean ± std
  sweep <benchmarks>   a grid of runs (benchmarks × strategies × seeds × hyper-parameters), local or on Redis
  worker --queue URL   run sweep jobs from a BullMQ queue (one per machine)
  perf                 performance benchmarks of every package (table + JSON)
  help [command]       this text, or a command's

Run "mamba-cl <command> --help" for a command's options.

Benchmarks:
${benchList()}

Examples:
  mamba-cl run default                                   # the embedded default (what pnpm start runs)
  mamba-cl run cifar100-10 --data-root ~/data/cifar100 --weights ~/ckpt/defocus_mamba_large_cls_21k.pth
  mamba-cl report runs/cifar100-10-s2024-* runs/cifar100-10-s2025-*
`,
  run: () => `Usage: mamba-cl run <benchmark> [options]

Trains each strategy on the benchmark's tasks in order, evaluates all seen tasks after each one and
writes a run folder per seed: manifest.json, events.jsonl, results.json, report.md, SVG plots.

Benchmarks:
${benchList()}

Options:
  --strategy <id>        strategy to run; repeat or comma-separate (default: the preset's).
                         "mamba-cl list" shows the strategies.
  --seed <n>             seed(s); repeat or comma-separate (default: the preset's; paper: 2024,2025,2026)
  --backend <name>       tensorflow-gpu | tensorflow | webgpu | wasm | cpu | a comma list | auto
                         (default: MAMBA_CL_BACKEND, else auto). webgpu (GPU through Vulkan, Metal
                         or D3D12): npm install webgpu @tensorflow/tfjs-backend-webgpu; auto takes
                         only a hardware adapter, naming webgpu also takes a software one
  --data-root <dir>      the data set folder (paper presets; see "Data layout" in the reproducing guide)
  --weights <file>       the pretrained checkpoint (.pth or .safetensors) (paper presets)
  --model <name>         model preset of @mamba-cl/ssm-core (default: the preset's)
  --out <dir>            where run folders go (default: runs)
  --resume <run-dir>     continue a partial run folder with its own configuration (a benchmark
                         named beside it must be the folder's)
  --config <file>        a whole run in one JSON or YAML file (benchmark, strategies, options, seeds,
                         train, data, model, plugins); flags override it. A run's manifest.json is
                         a valid config: "mamba-cl run --config runs/X/manifest.json" reruns it
  --plugin <file|pkg>    load a module that registers strategies or benchmarks; repeatable
  --option <s>.<k>=<v>   a strategy option, e.g. ewc.lambda=10 (value parsed as JSON where it parses);
                         repeatable; "mamba-cl list strategies" shows each strategy's options
  --checkpoint-every <n> also checkpoint every n optimizer steps inside a task (default: task ends)
  --workers <n>          data-loading threads for the paper benchmarks (default: min(4, cores − 1))
  --grad-workers <n>     threads that compute gradients beside the main thread (default 0; on wasm/cpu
                         1 uses a second core; figures equal the 0-worker run up to float rounding)
  --cache-dir <dir>      cache of the pretrained checkpoint and npm data (default: $MAMBA_CL_CACHE_DIR, else ~/.cache/mamba-cl)

Hyper-parameter overrides (default: the preset's; the paper's values in brackets):
  --epochs <n>           epochs per task [10]
  --batch-size <n>       training batch size [200]
  --eval-batch-size <n>  evaluation / feature batch size [100]
  --lr <x>               backbone learning rate [2e-4]
  --head-lr-scale <x>    head lr = lr × this [50]
  --weight-decay <x>     coupled L2 decay [5e-5]
  --eta <x>              null-space blend η in [0, 1] [0.95; 0.90 for imagenet-r-10]
  --expand-times <n>     passes over the task data per epoch [5]
  --milestones <list>    lr ×0.1 at these epochs [5,8]
  --gamma <x>            lr decay factor at each milestone [0.1]

Your own images (mamba-cl run folder --data-root DIR --tasks N):
  --tasks <n>            split the class folders of DIR/{train,val}/<class>/ into n tasks
  --image-size <s>       images are resized to s×s and the model built for it (default 28)
  --channels <1|3>       grey or RGB (default 3)

Smoke-run limits:
  --max-steps <n>        at most n optimizer steps per epoch
  --limit-train <n>      at most n training images per class
  --limit-val <n>        at most n validation images per class
  --limit-tasks <n>      run only the first n tasks

Output:
  --no-progress          plain log lines even on a terminal
  --no-logs <list>       skip csv (metrics.csv, loss.csv, summary.csv) and/or tensorboard
                         (tensorboard/<strategy>/)

Ctrl-C or SIGTERM stops after the current step with a checkpoint there and prints the --resume command.
  -h, --help             this text
`,
  list: () => `Usage: mamba-cl list [benchmarks|strategies|models|backends] [--json] [--plugin <file|pkg>]

Lists the benchmarks, the strategies (with their options), the model presets, and which compute
backends load on this machine (each with the reason it was skipped, and for webgpu the adapter:
"if named" is a software adapter, which auto skips and --backend webgpu uses). With no argument,
lists everything; --plugin loads plug-ins first and shows what each added.

Options:
  --json        machine-readable output
  --plugin <m>  load a plug-in module first; repeatable
  -h, --help    this text
`,
  report: () => `Usage: mamba-cl report <run-dir...> [--out <dir>]

Re-renders report.md and the SVG plots of finished or partial run folders from their results.json.
With several run folders (normally one per seed), also writes a summary with mean ± std across runs;
it warns when two of them share a seed (the same class order counted twice).
A folder that holds run folders (the parent written by a multi-seed run) counts as all of them.

Options:
  --out <dir>   where the multi-run summary goes (default: <first run's parent>/summary-<benchmark>)
  -h, --help    this text
`,
  perf: () => `Usage: mamba-cl perf [--quick] [--only <name>] [--json <file>]

Runs the performance benchmarks of @mamba-cl/ssm-core, nullspace, datasets and cl-trainer (their
"./perf" entry points), prints one table per benchmark and writes all figures as JSON.

Options:
  --quick          short version (fewer sizes and repetitions)
  --only <name>    only the suites whose package name contains <name>; repeat or comma-separate
                   (ssm-core, nullspace, datasets, cl-trainer)
  --json <file>    where to write the JSON (default: runs/perf-<time>.json)
  --backend <name> backend to measure on (default: MAMBA_CL_BACKEND, else auto)
  -h, --help       this text
`,
};
