import type { ScanCore, ScanCoreGrads, ScanDims } from './scan_core.js';

/**
 * The core scan as plain JavaScript loops (float32 storage, float64 arithmetic): the fallback of
 * the `fused` kernel where WebAssembly SIMD is unavailable, and a second check of the wasm core.
 *
 * **Details**
 * Forward: h[d,n] = exp(Δ[d]·A[d,n])·h[d,n] + Δ[d]·B[n]·x[d]; y[d] = Σ_n C[n]·h[d,n] (spec §1.2).
 * Backward, for t = L−1..0 with g = ∂L/∂h_t (carry gh = a_{t+1}·g_{t+1}):
 * g = gh + dy_t[d]·C_t[n]; dC_t[n] += dy_t[d]·h_t[d,n]; dB_t[n] += g·Δ·x; dx = Δ·Σ_n g·B;
 * dΔ = Σ_n g·(h_{t−1}·a·A + B·x); dA += g·h_{t−1}·a·Δ; gh = g·a. States of one batch element are
 * kept ([seqLen, dInner, dState]).
 *
 * @category Scan
 */
export const JS_SCAN_CORE: ScanCore = {
  name: 'js',
  forward(dims: ScanDims, x, delta, A, B, C): Float32Array {
    const { batch, seqLen, dInner, dState } = dims;
    const y = new Float32Array(batch * seqLen * dInner);
    const h = new Float32Array(dInner * dState);
    for (let b = 0; b < batch; b++) {
      h.fill(0);
      for (let t = 0; t < seqLen; t++) {
        const row = (b * seqLen + t) * dInner;
        const srow = (b * seqLen + t) * dState;
        for (let d = 0; d < dInner; d++) {
          const dt = delta[row + d];
          const dtx = dt * x[row + d];
          let acc = 0;
          const base = d * dState;
          for (let n = 0; n < dState; n++) {
            const v = Math.exp(dt * A[base + n]) * h[base + n] + dtx * B[srow + n];
            h[base + n] = v;
            acc += C[srow + n] * v;
          }
          y[row + d] = acc;
        }
      }
    }
    return y;
  },
  backward(dims: ScanDims, x, delta, A, B, C, dy): ScanCoreGrads {
    const { batch, seqLen, dInner, dState } = dims;
    const DN = dInner * dState;
    const dx = new Float32Array(batch * seqLen * dInner);
    const ddelta = new Float32Array(batch * seqLen * dInner);
    const dA = new Float32Array(DN);
    const dB = new Float32Array(batch * seqLen * dState);
    const dC = new Float32Array(batch * seqLen * dState);
    const hs = new Float32Array(seqLen * DN);
    const gh = new Float32Array(DN);
    for (let b = 0; b < batch; b++) {
      // forward states h_t of this batch element
      for (let t = 0; t < seqLen; t++) {
        const row = (b * seqLen + t) * dInner;
        const srow = (b * seqLen + t) * dState;
        const cur = t * DN;
        const prev = cur - DN;
        for (let d = 0; d < dInner; d++) {
          const dt = delta[row + d];
          const dtx = dt * x[row + d];
          const base = d * dState;
          for (let n = 0; n < dState; n++) {
            const hp = t > 0 ? hs[prev + base + n] : 0;
            hs[cur + base + n] = Math.exp(dt * A[base + n]) * hp + dtx * B[srow + n];
          }
        }
      }
      gh.fill(0);
      for (let t = seqLen - 1; t >= 0; t--) {
        const row = (b * seqLen + t) * dInner;
        const srow = (b * seqLen + t) * dState;
        const cur = t * DN;
        const prev = cur - DN;
        for (let d = 0; d < dInner; d++) {
          const dt = delta[row + d];
          const xv = x[row + d];
          const dyv = dy[row + d];
          const base = d * dState;
          let sumGB = 0;
          let sumDdt = 0;
          for (let n = 0; n < dState; n++) {
            const a = Math.exp(dt * A[base + n]);
            const hp = t > 0 ? hs[prev + base + n] : 0;
            const g = gh[base + n] + dyv * C[srow + n];
            dC[srow + n] += dyv * hs[cur + base + n];
            dB[srow + n] += g * dt * xv;
            sumGB += g * B[srow + n];
            const gha = g * hp * a;
            sumDdt += gha * A[base + n];
            dA[base + n] += gha * dt;
            gh[base + n] = g * a;
          }
          dx[row + d] = dt * sumGB;
          ddelta[row + d] = sumDdt + xv * sumGB;
        }
      }
    }
    return { dx, ddelta, dA, dB, dC };
  },
};
