import { appendFileSync, existsSync, statSync } from 'node:fs';

/**
 * Quotes one CSV field (RFC 4180): fields holding a comma, quote or line break are quoted, quotes
 * doubled; numbers are written as JavaScript prints them, `undefined` as an empty field.
 *
 * @category Logs
 */
export function csvField(v: string | number | undefined | null): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * An append-only CSV file with a fixed header: the header is written when the file is new or
 * empty, so a resumed run keeps adding rows to the same file.
 *
 * @example
 * const f = new CsvFile('runs/x/loss.csv', ['strategy', 'step', 'loss']);
 * f.row(['mamba-cl', 1, 0.69]);
 * @category Logs
 */
export class CsvFile {
  /**
   * @param path - the file
   * @param header - the column names
   */
  constructor(
    readonly path: string,
    readonly header: readonly string[],
  ) {
    if (!existsSync(path) || statSync(path).size === 0) appendFileSync(path, `${header.join(',')}\n`);
  }

  /**
   * Appends one row.
   *
   * @param values - one value per column (fewer leave the rest empty)
   * @throws `Error` when there are more values than columns
   */
  row(values: readonly (string | number | undefined | null)[]): void {
    if (values.length > this.header.length) {
      throw new Error(
        `${this.path}: row of ${values.length} values, the header has ${this.header.length} columns`,
      );
    }
    const cells = this.header.map((_, i) => csvField(values[i]));
    appendFileSync(this.path, `${cells.join(',')}\n`);
  }
}
