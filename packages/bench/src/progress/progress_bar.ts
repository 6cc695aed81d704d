/**
 * Where progress output goes: a TTY gets one redrawn bar line; anything else gets plain lines.
 *
 * @category Progress
 */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * A small progress bar without dependencies.
 *
 * **Details**
 * On a TTY it redraws one line (`\r`) at most every `minIntervalMs`, with rate and ETA; on a pipe or
 * file it prints one plain line when a bar starts, at each quarter, and when it ends, so logs stay
 * short. `log()` prints a line above the bar without breaking it.
 *
 * @example
 * const bar = new ProgressBar(process.stderr);
 * bar.start('task 1/5', 120);
 * for (let i = 1; i <= 120; i++) bar.update(i, `loss 0.4`);
 * bar.finish('acc 91.2%');
 * @category Progress
 */
export class ProgressBar {
  readonly #out: ProgressStream;
  readonly #tty: boolean;
  readonly #now: () => number;
  readonly #minIntervalMs: number;
  #label = '';
  #total = 0;
  #done = 0;
  #info = '';
  #t0 = 0;
  #lastDraw = -Infinity;
  #active = false;
  #quarter = 0;

  /**
   * @param out - the stream (stderr by default in the CLI)
   * @param options - force TTY/plain mode, a clock for tests, redraw interval
   */
  constructor(
    out: ProgressStream,
    options: { tty?: boolean; now?: () => number; minIntervalMs?: number } = {},
  ) {
    this.#out = out;
    this.#tty = options.tty ?? out.isTTY === true;
    this.#now = options.now ?? (() => performance.now());
    this.#minIntervalMs = options.minIntervalMs ?? 100;
  }

  /** Whether a bar is running. */
  get active(): boolean {
    return this.#active;
  }

  /** Whether this bar redraws in place. */
  get isTTY(): boolean {
    return this.#tty;
  }

  /** Starts a bar of `total` units (ends any running one). */
  start(label: string, total: number, info = ''): void {
    if (this.#active) this.finish();
    this.#label = label;
    this.#total = Math.max(0, total);
    this.#done = 0;
    this.#info = info;
    this.#t0 = this.#now();
    this.#lastDraw = -Infinity;
    this.#active = true;
    this.#quarter = 0;
    if (this.#tty) this.#draw(true);
    else this.#out.write(`${label}: started (${total} steps)${info ? ` ${info}` : ''}\n`);
  }

  /** Sets how many units are done and an optional info text (loss, accuracy…). */
  update(done: number, info?: string): void {
    if (!this.#active) return;
    this.#done = Math.min(done, this.#total);
    if (info !== undefined) this.#info = info;
    if (this.#tty) {
      this.#draw(false);
    } else if (this.#total > 0) {
      const q = Math.floor((4 * this.#done) / this.#total);
      if (q > this.#quarter && q < 4) {
        this.#quarter = q;
        this.#out.write(`${this.#line()}\n`);
      }
    }
  }

  /** Ends the bar, printing its final line. */
  finish(info?: string): void {
    if (!this.#active) return;
    if (info !== undefined) this.#info = info;
    this.#done = this.#total;
    this.#active = false;
    if (this.#tty) this.#out.write(`\r\x1b[2K${this.#line()}\n`);
    else this.#out.write(`${this.#line()}\n`);
  }

  /** Prints a line, keeping a running TTY bar below it. */
  log(line: string): void {
    if (this.#tty && this.#active) {
      this.#out.write(`\r\x1b[2K${line}\n`);
      this.#draw(true);
    } else {
      this.#out.write(`${line}\n`);
    }
  }

  #line(): string {
    const elapsed = (this.#now() - this.#t0) / 1000;
    const rate = elapsed > 0 ? this.#done / elapsed : 0;
    const eta = rate > 0 ? (this.#total - this.#done) / rate : Number.NaN;
    const pct = this.#total > 0 ? Math.floor((100 * this.#done) / this.#total) : 100;
    const width = 24;
    const filled = this.#total > 0 ? Math.round((width * this.#done) / this.#total) : width;
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const timing = this.#done >= this.#total ? clock(elapsed) : `${clock(elapsed)}<${clock(eta)}`;
    const rateText = rate >= 1 ? `${rate.toFixed(1)} it/s` : rate > 0 ? `${(1 / rate).toFixed(1)} s/it` : '';
    return `${this.#label} ${bar} ${String(pct).padStart(3)}% ${this.#done}/${this.#total} ${timing} ${rateText}${this.#info ? ` ${this.#info}` : ''}`.trimEnd();
  }

  #draw(force: boolean): void {
    const t = this.#now();
    if (!force && t - this.#lastDraw < this.#minIntervalMs && this.#done < this.#total) return;
    this.#lastDraw = t;
    let line = this.#line();
    const cols = this.#out.columns;
    if (cols && line.length > cols - 1) line = line.slice(0, cols - 1);
    this.#out.write(`\r\x1b[2K${line}`);
  }
}
