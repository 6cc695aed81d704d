/**
 * `@mamba-cl/cl-trainer`.
 *
 * @module
 */

/** The npm name of this package. @category Meta */
export const PACKAGE_NAME = '@mamba-cl/cl-trainer';
