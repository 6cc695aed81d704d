// Plain C selective scan (forward and forward+backward), the yardstick of `runScanPerf`.
// Same loops as the fused kernel (src/scan/scan_core_js.ts): states of one batch element kept for
// the reverse scan, exp recomputed. Compiled at benchmark time with `gcc -O3 -march=native`.
// Usage: scan_ref batch seqLen dInner dState reps  → prints best wall and CPU-time ms as JSON
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_ms(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
static double now_ms(void) { return clock_ms(CLOCK_MONOTONIC); }
static double cpu_ms(void) { return clock_ms(CLOCK_PROCESS_CPUTIME_ID); }

static void forward(int Bn, int L, int D, int N, const float *x, const float *dt, const float *A, const float *Bm,
                    const float *Cm, float *y, float *h) {
  for (int b = 0; b < Bn; b++) {
    memset(h, 0, sizeof(float) * D * N);
    for (int t = 0; t < L; t++) {
      int row = (b * L + t) * D, srow = (b * L + t) * N;
      for (int d = 0; d < D; d++) {
        float dts = dt[row + d], dtx = dts * x[row + d], acc = 0;
        for (int n = 0; n < N; n++) {
          float v = expf(dts * A[d * N + n]) * h[d * N + n] + dtx * Bm[srow + n];
          h[d * N + n] = v;
          acc += Cm[srow + n] * v;
        }
        y[row + d] = acc;
      }
    }
  }
}

static void backward(int Bn, int L, int D, int N, const float *x, const float *dt, const float *A, const float *Bm,
                     const float *Cm, const float *dy, float *dx, float *ddt, float *dA, float *dB, float *dC,
                     float *hs, float *gh) {
  int DN = D * N;
  memset(dA, 0, sizeof(float) * DN);
  memset(dB, 0, sizeof(float) * Bn * L * N);
  memset(dC, 0, sizeof(float) * Bn * L * N);
  memset(hs, 0, sizeof(float) * DN); /* slot 0: h_{-1} = 0; slot t + 1: h_t */
  for (int b = 0; b < Bn; b++) {
    for (int t = 0; t < L; t++) {
      int row = (b * L + t) * D, srow = (b * L + t) * N;
      float *cur = hs + (t + 1) * DN, *prev = cur - DN;
      for (int d = 0; d < D; d++) {
        float dts = dt[row + d], dtx = dts * x[row + d];
        for (int n = 0; n < N; n++) {
          float hp = prev[d * N + n];
          cur[d * N + n] = expf(dts * A[d * N + n]) * hp + dtx * Bm[srow + n];
        }
      }
    }
    memset(gh, 0, sizeof(float) * DN);
    for (int t = L - 1; t >= 0; t--) {
      int row = (b * L + t) * D, srow = (b * L + t) * N;
      float *cur = hs + (t + 1) * DN, *prev = cur - DN;
      for (int d = 0; d < D; d++) {
        float dts = dt[row + d], xs = x[row + d], dyv = dy[row + d], sgb = 0, sdd = 0;
        for (int n = 0; n < N; n++) {
          int i = d * N + n;
          float a = expf(dts * A[i]);
          float hp = prev[i];
          float g = gh[i] + dyv * Cm[srow + n];
          dC[srow + n] += dyv * cur[i];
          dB[srow + n] += g * dts * xs;
          sgb += g * Bm[srow + n];
          float gha = g * hp * a;
          sdd += gha * A[i];
          dA[i] += gha * dts;
          gh[i] = g * a;
        }
        dx[row + d] = dts * sgb;
        ddt[row + d] = sdd + xs * sgb;
      }
    }
  }
}

static float *rnd(size_t n, float lo, float hi, unsigned *s) {
  float *p = malloc(sizeof(float) * n);
  for (size_t i = 0; i < n; i++) {
    *s = *s * 1664525u + 1013904223u;
    p[i] = lo + (hi - lo) * (float)(*s >> 8) / 16777216.f;
  }
  return p;
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s batch seqLen dInner dState reps\n", argv[0]);
    return 2;
  }
  int Bn = atoi(argv[1]), L = atoi(argv[2]), D = atoi(argv[3]), N = atoi(argv[4]), reps = atoi(argv[5]);
  unsigned s = 12345;
  size_t BLD = (size_t)Bn * L * D, BLN = (size_t)Bn * L * N;
  float *x = rnd(BLD, -1, 1, &s), *dt = rnd(BLD, 0.01f, 1, &s), *A = rnd((size_t)D * N, -3, -0.1f, &s);
  float *Bm = rnd(BLN, -1, 1, &s), *Cm = rnd(BLN, -1, 1, &s), *dy = rnd(BLD, -1, 1, &s);
  float *y = malloc(sizeof(float) * BLD), *h = malloc(sizeof(float) * D * N);
  float *dx = malloc(sizeof(float) * BLD), *ddt = malloc(sizeof(float) * BLD), *dA = malloc(sizeof(float) * D * N);
  float *dB = malloc(sizeof(float) * BLN), *dC = malloc(sizeof(float) * BLN);
  float *hs = malloc(sizeof(float) * (size_t)(L + 1) * D * N), *gh = malloc(sizeof(float) * D * N);
  double bestF = 1e30, bestFB = 1e30, cpuF = 1e30, cpuFB = 1e30, check = 0;
  for (int r = 0; r < reps; r++) {
    double t0 = now_ms(), c0 = cpu_ms();
    forward(Bn, L, D, N, x, dt, A, Bm, Cm, y, h);
    double t1 = now_ms(), c1 = cpu_ms();
    backward(Bn, L, D, N, x, dt, A, Bm, Cm, dy, dx, ddt, dA, dB, dC, hs, gh);
    double t2 = now_ms(), c2 = cpu_ms();
    if (t1 - t0 < bestF) bestF = t1 - t0;
    if (t2 - t0 < bestFB) bestFB = t2 - t0;
    if (c1 - c0 < cpuF) cpuF = c1 - c0;
    if (c2 - c0 < cpuFB) cpuFB = c2 - c0;
  }
  for (size_t i = 0; i < BLD; i++) check += y[i] + ddt[i];
  printf("{\"forwardMs\":%.4f,\"forwardBackwardMs\":%.4f,\"forwardCpuMs\":%.4f,\"forwardBackwardCpuMs\":%.4f,"
         "\"check\":%.6g}\n",
         bestF, bestFB, cpuF, cpuFB, check);
  return 0;
}
