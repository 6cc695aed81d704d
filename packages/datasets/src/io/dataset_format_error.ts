/**
 * Thrown when a dataset file does not have the expected format. The message names the file, the
 * record or key, what was found and what was expected.
 *
 * @example
 * throw new DatasetFormatError('train.bin: record 37 is 3000 bytes, expected 3074 (coarse label + fine label + 3072 pixels)');
 * @category Errors
 */
export class DatasetFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetFormatError';
  }
}
