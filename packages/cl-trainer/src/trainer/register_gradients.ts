/**
 * Side effect: makes sure tfjs's gradient functions are registered before the trainer calls
 * `tf.variableGrads`. tfjs-core's Node bundle ships without them; `@mamba-cl/ssm-core` registers
 * them once (through `@tensorflow/tfjs`) when its layers and scan are loaded.
 *
 * @internal
 */
import '@mamba-cl/ssm-core';
