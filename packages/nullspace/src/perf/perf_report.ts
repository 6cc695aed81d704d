/**
 * One row of a benchmark table: column name → value.
 *
 * @category Perf
 */
export type PerfRow = Record<string, string | number>;

/**
 * The figures one benchmark produced: a titled table plus free-text notes (machine, caveats).
 *
 * @category Perf
 */
export interface PerfReport {
  /** What was measured. */
  readonly title: string;
  /** The table, one row per configuration. */
  readonly rows: readonly PerfRow[];
  /** Extra lines: targets, comparisons, caveats. */
  readonly notes: readonly string[];
}
