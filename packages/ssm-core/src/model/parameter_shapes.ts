import type { VisionMambaConfig } from './model_config.js';

/**
 * Every backbone parameter name with its shape, in checkpoint order (module's own parameters before
 * its children's, as PyTorch's `state_dict`), after the `x_proj` split.
 *
 * @param c - backbone config
 * @returns name → shape
 * @example
 * parameterShapes(MODEL_PRESETS.tiny).get('blocks.0.mixer.A_log'); // [128, 16]
 * @category Model
 */
export function parameterShapes(c: VisionMambaConfig): Map<string, number[]> {
  const { dModel, dInner, dState: n, dtRank: r, dConv: k, patchSize: p, inChans } = c;
  const m = new Map<string, number[]>();
  m.set('cls_token', [1, 1, dModel]);
  m.set('patch_embed.proj.weight', [dModel, inChans, p, p]);
  m.set('patch_embed.proj.bias', [dModel]);
  for (let i = 0; i < c.depth; i++) {
    const b = `blocks.${i}.mixer.`;
    m.set(`${b}A_log`, [dInner, n]);
    m.set(`${b}D`, [dInner]);
    m.set(`${b}freq`, [n]);
    m.set(`${b}in_proj.weight`, [2 * dInner, dModel]);
    m.set(`${b}conv1d.weight`, [dInner, 1, k]);
    m.set(`${b}conv1d.bias`, [dInner]);
    m.set(`${b}x_proj_step.weight`, [r, dInner]);
    m.set(`${b}x_proj_B.weight`, [n, dInner]);
    m.set(`${b}x_proj_C.weight`, [n, dInner]);
    m.set(`${b}dt_proj.weight`, [dInner, r]);
    m.set(`${b}dt_proj.bias`, [dInner]);
    m.set(`${b}out_proj.weight`, [dModel, dInner]);
    m.set(`blocks.${i}.norm.weight`, [dModel]);
  }
  m.set('norm.weight', [dModel]);
  m.set('norm.bias', [dModel]);
  return m;
}
