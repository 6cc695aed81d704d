/**
 * Raised when a weights file (zip archive, torch checkpoint, safetensors) is truncated or malformed.
 * The message names the file, the entry or key, what is wrong and what was expected.
 *
 * @example
 * // WeightsFormatError: model.safetensors: tensor 'norm.weight': data_offsets [0, 60] hold 60 bytes, expected 64 (16 × F32)
 * @category Weights
 */
export class WeightsFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsFormatError';
  }
}
