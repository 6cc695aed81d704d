"""PyTorch reference for the GPU check (issue 17, item 4): the `defocus-mamba-large` backbone of
@mamba-cl/ssm-core in plain PyTorch (no mamba_ssm), forward and training step, on the same GPU.

Same shapes as the JS check: 192 px RGB, patch 16 (144 patches + CLS last = 145 tokens), dModel 1024,
dInner 2048, N 16, dtRank 48, conv 4, group RMS 64, RoPE on B and C, depth --depth (48 in the paper
model). The step is the one `runStepPerf` / check.ts time: the official trainable set (x_proj_step/B/C,
A_log, out_proj.weight of every block) + a 10-class linear head, softmax cross-entropy, Adam 1e-4.
float32, TF32 off unless --tf32 (WebGPU runs float32).

Two plain-PyTorch selective scans (spec §1.2 step 7), both timed:
- `sequential`: a Python loop over the 145 tokens, autograd through it (mamba's selective_scan_ref);
- `logstep`: a Hillis-Steele scan over the whole sequence in ⌈log2 L⌉ elementwise steps, with a
  hand-written backward that recomputes the states (the reverse recurrence for ∂L/∂h) instead of
  saving them -- the algorithm of ssm-core's `chunked` scan.
The faster one is the reference of the summary; they are checked against each other (values and
gradients) on a small input first.

    python3 scripts/gpu-check/torch_reference.py --device cuda --depth 48 [--forward-batch 32]
        [--step-batch 16] [--budget-s 60] [--scans logstep,sequential] [--tf32]

Prints progress to stderr and one JSON line ("kind": "mamba-cl-gpu-check-torch") to stdout.
"""
import argparse
import json
import math
import sys
import time

import torch
import torch.nn.functional as F

IMG, P, CH, DM, DI, N, R, K, G, NCLS = 192, 16, 3, 1024, 2048, 16, 48, 4, 64, 10
L = (IMG // P) ** 2 + 1

T0 = time.perf_counter()


def log(msg):
    print(f'[torch {time.perf_counter() - T0:.1f} s] {msg}', file=sys.stderr, flush=True)


# ---------------------------------------------------------------- selective scans (no D, no z)

def scan_sequential(x, delta, A, B, C):
    """s_t[d] = sum_n C_t[n] h_t[d,n], h_t = exp(delta_t[d] A[d,n]) h_{t-1} + delta_t[d] B_t[n] x_t[d]."""
    b, l, d = x.shape
    dA = torch.exp(delta[..., None] * A)
    dBx = (delta * x)[..., None] * B[:, :, None, :]
    h = x.new_zeros(b, d, A.shape[1])
    ys = []
    for t in range(l):
        h = dA[:, t] * h + dBx[:, t]
        ys.append(torch.einsum('bdn,bn->bd', h, C[:, t]))
    return torch.stack(ys, 1)


def _linear_scan(a, u):
    """Inclusive scan of h_t = a_t h_{t-1} + u_t along dim 1 (h_{-1} = 0), Hillis-Steele."""
    k = 1
    while k < a.shape[1]:
        u = torch.cat([u[:, :k], u[:, k:] + a[:, k:] * u[:, :-k]], 1)
        a = torch.cat([a[:, :k], a[:, k:] * a[:, :-k]], 1)
        k *= 2
    return u


class LogStepScan(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, delta, A, B, C):
        a = torch.exp(delta[..., None] * A)
        h = _linear_scan(a, (delta * x)[..., None] * B[:, :, None, :])
        ctx.save_for_backward(x, delta, A, B, C)
        return torch.einsum('bldn,bln->bld', h, C)

    @staticmethod
    def backward(ctx, dy):
        x, delta, A, B, C = ctx.saved_tensors
        a = torch.exp(delta[..., None] * A)
        h = _linear_scan(a, (delta * x)[..., None] * B[:, :, None, :])
        dC = torch.einsum('bld,bldn->bln', dy, h)
        # g_t = dL/dh_t = dy_t C_t + a_{t+1} g_{t+1}: the same recurrence backwards in time
        a_next = torch.cat([a[:, 1:], torch.zeros_like(a[:, :1])], 1)
        g = _linear_scan(a_next.flip(1), (dy[..., None] * C[:, :, None, :]).flip(1)).flip(1)
        h_prev = torch.cat([torch.zeros_like(h[:, :1]), h[:, :-1]], 1)
        ga = g * h_prev * a  # dL/d(delta_t A), per (d, n)
        gB = g * B[:, :, None, :]
        dx = delta * gB.sum(-1)
        ddelta = x * gB.sum(-1) + (ga * A).sum(-1)
        dA = (ga * delta[..., None]).sum((0, 1))
        dB = torch.einsum('bldn,bld->bln', g, delta * x)
        return dx, ddelta, dA, dB, dC


SCANS = {'sequential': scan_sequential, 'logstep': LogStepScan.apply}


# ---------------------------------------------------------------- the backbone

def make_model(depth, device, seed=0):
    gen = torch.Generator(device='cpu').manual_seed(seed)

    def uni(shape, bound, trainable=False):
        t = (torch.rand(*shape, generator=gen) * 2 - 1) * bound
        return t.to(device).requires_grad_(trainable)

    def const(t, trainable=False):
        return t.to(device).requires_grad_(trainable)

    fan = CH * P * P
    m = {
        'cls': const(torch.randn(1, 1, DM, generator=gen) * 0.02),
        'patch_w': uni((DM, CH, P, P), fan ** -0.5),
        'patch_b': uni((DM,), fan ** -0.5),
        'norm_w': const(torch.ones(DM)),
        'norm_b': const(torch.zeros(DM)),
        'blocks': [],
    }
    freq = torch.tensor([10000 ** (-(2 * (j // 2)) / N) for j in range(N)])
    for _ in range(depth):
        dt = torch.exp(math.log(1e-3) + torch.rand(DI, generator=gen) * (math.log(1e-1) - math.log(1e-3)))
        dt = dt.clamp(min=1e-4)
        m['blocks'].append({
            'norm': const(torch.ones(DM)),
            'in_proj': uni((2 * DI, DM), DM ** -0.5),
            'conv_w': uni((DI, 1, K), K ** -0.5),
            'conv_b': uni((DI,), K ** -0.5),
            'x_step': uni((R, DI), DI ** -0.5, True),
            'x_B': uni((N, DI), DI ** -0.5, True),
            'x_C': uni((N, DI), DI ** -0.5, True),
            'dt_w': uni((DI, R), R ** -0.5),
            'dt_b': const(dt + torch.log(-torch.expm1(-dt))),
            'A_log': const(torch.log(torch.arange(1, N + 1.0)).repeat(DI, 1), True),
            'D': const(torch.ones(DI)),
            'out_proj': uni((DM, DI), DI ** -0.5, True),
            'freq': const(torch.cat([freq, freq])),
        })
    return m


def rope(v, theta):
    """Rotates channel pairs (2i, 2i+1) by theta (as ssm-core's ropeRotate)."""
    c, s = torch.cos(theta), torch.sin(theta)
    out = torch.empty_like(v)
    out[..., 0::2] = v[..., 0::2] * c[:, 0::2] - v[..., 1::2] * s[:, 0::2]
    out[..., 1::2] = v[..., 1::2] * c[:, 1::2] + v[..., 0::2] * s[:, 1::2]
    return out


def mixer(u, p, scan, positions):
    b = u.shape[0]
    xz = u @ p['in_proj'].t()
    xt, z = xz[..., :DI], xz[..., DI:]
    x = F.silu(F.conv1d(xt.transpose(1, 2), p['conv_w'], p['conv_b'], padding=K - 1, groups=DI)[..., :L]
               .transpose(1, 2))
    xdbl = x @ torch.cat([p['x_step'], p['x_B'], p['x_C']]).t()
    r, bc = xdbl[..., :R], rope(xdbl[..., R:], positions[:, None] * p['freq'][None])
    Bm, Cm = bc[..., :N], bc[..., N:]
    delta = F.softplus(r @ p['dt_w'].t() + p['dt_b'])
    s = scan(x, delta, -torch.exp(p['A_log']), Bm.contiguous(), Cm.contiguous())
    s = s.reshape(b, L, DI // G, G)
    s = (s * torch.rsqrt(s.pow(2).mean(-1, keepdim=True) + 1e-6)).reshape(b, L, DI)
    return ((s + p['D'] * x) * F.silu(z)) @ p['out_proj'].t()


def forward(m, img, scan):
    t = F.conv2d(img, m['patch_w'], m['patch_b'], stride=P).flatten(2).transpose(1, 2)
    h = torch.cat([t, m['cls'].expand(img.shape[0], -1, -1)], 1)
    positions = torch.arange(L, dtype=torch.float32, device=img.device)
    for p in m['blocks']:
        h = h + mixer(h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + 1e-5) * p['norm'], p, scan, positions)
    return F.layer_norm(h[:, -1], (DM,), m['norm_w'], m['norm_b'], 1e-6)


# ---------------------------------------------------------------- timing

def sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def timed(fn, device, warmup, max_steps, budget_s, name):
    warm = []
    for i in range(warmup):
        t = time.perf_counter()
        fn()
        sync(device)
        warm.append((time.perf_counter() - t) * 1000)
        log(f'{name}: warm-up {i + 1}/{warmup} {warm[-1]:.1f} ms')
    times, spent = [], 0.0
    while len(times) < 1 or (len(times) < max_steps and spent < budget_s * 1000):
        t = time.perf_counter()
        fn()
        sync(device)
        times.append((time.perf_counter() - t) * 1000)
        spent += times[-1]
    log(f'{name}: {len(times)} timed steps, mean {sum(times) / len(times):.1f} ms, best {min(times):.1f} ms')
    return warm, times


def result(phase, scan, batch, depth, warm, times, device):
    mean = sum(times) / len(times)
    r = {
        'phase': phase, 'scan': scan, 'batch': batch, 'depth': depth, 'dModel': DM, 'dInner': DI, 'tokens': L,
        'warmupMs': [round(w, 1) for w in warm], 'timedSteps': len(times), 'msMean': round(mean, 2),
        'msMedian': round(sorted(times)[len(times) // 2], 2), 'msBest': round(min(times), 2),
        'imagesPerS': round(batch * 1000 / mean, 1), 'imagesPerSBest': round(batch * 1000 / min(times), 1),
    }
    if device.type == 'cuda':
        r['peakMemoryGiB'] = round(torch.cuda.max_memory_allocated(device) / 2 ** 30, 2)
        torch.cuda.reset_peak_memory_stats(device)
    return r


def check_scans(device):
    """Both scans agree (values and gradients) on a small seeded input."""
    g = torch.Generator(device='cpu').manual_seed(7)
    b, l, d, n = 2, 37, 8, 4
    mk = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64).to(device)
    x, B, C = mk(b, l, d), mk(b, l, n), mk(b, l, n)
    delta = (torch.rand(b, l, d, generator=g, dtype=torch.float64) * 0.5 + 0.01).to(device)
    A = -(torch.rand(d, n, generator=g, dtype=torch.float64) * 4 + 0.5).to(device)
    dy = mk(b, l, d)
    out = {}
    for name, scan in SCANS.items():
        ins = [t.clone().requires_grad_(True) for t in (x, delta, A, B, C)]
        y = scan(*ins)
        grads = torch.autograd.grad((y * dy).sum(), ins)
        out[name] = (y, grads)
    (y0, g0), (y1, g1) = out['sequential'], out['logstep']
    err = max([((y0 - y1).abs().max() / y0.abs().max()).item()] +
              [((a - c).abs().max() / a.abs().max()).item() for a, c in zip(g0, g1)])
    return err


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--depth', type=int, default=48)
    ap.add_argument('--forward-batch', type=int, default=32)
    ap.add_argument('--step-batch', type=int, default=16)
    ap.add_argument('--scans', default='logstep,sequential')
    ap.add_argument('--budget-s', type=float, default=60, help='time budget of all timed loops together')
    ap.add_argument('--max-steps', type=int, default=20)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--tf32', action='store_true', help='allow TF32 matmuls (default: full float32)')
    args = ap.parse_args()
    device = torch.device(args.device)
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    torch.backends.cudnn.allow_tf32 = args.tf32
    scans = [s.strip() for s in args.scans.split(',') if s.strip()]
    for s in scans:
        if s not in SCANS:
            ap.error(f'unknown scan {s!r} (known: {", ".join(SCANS)})')
    info = {
        'kind': 'mamba-cl-gpu-check-torch', 'torch': torch.__version__, 'device': str(device),
        'deviceName': torch.cuda.get_device_name(device) if device.type == 'cuda' else 'cpu',
        'tf32': args.tf32, 'dtype': 'float32', 'args': vars(args), 'phases': [], 'errors': [],
    }
    err = check_scans(device)
    info['scanAgreement'] = err
    log(f'{info["deviceName"]}, torch {torch.__version__}; sequential vs logstep scan: max rel diff {err:.2e}')
    if err > 1e-6:
        info['errors'].append({'phase': 'check', 'error': f'scans disagree: max rel diff {err:.2e}'})
    t = time.perf_counter()
    m = make_model(args.depth, device)
    info['buildS'] = round(time.perf_counter() - t, 2)
    log(f'built depth {args.depth} in {info["buildS"]} s')
    gen = torch.Generator(device='cpu').manual_seed(1)
    head = torch.nn.Linear(DM, NCLS).to(device)
    train = [p[k] for p in m['blocks'] for k in ('x_step', 'x_B', 'x_C', 'A_log', 'out_proj')] + list(head.parameters())
    opt = torch.optim.Adam(train, lr=1e-4)
    budget = args.budget_s / (2 * len(scans))
    for scan_name in scans:
        scan = SCANS[scan_name]
        for phase in ('large-forward', 'large-step'):
            batch = args.forward_batch if phase == 'large-forward' else args.step_batch
            img = torch.randn(batch, CH, IMG, IMG, generator=gen).to(device)
            labels = (torch.arange(batch) % NCLS).to(device)

            def fwd():
                with torch.no_grad():
                    forward(m, img, scan)

            def step():
                opt.zero_grad(set_to_none=True)
                F.cross_entropy(head(forward(m, img, scan)), labels).backward()
                opt.step()

            try:
                warm, times = timed(fwd if phase == 'large-forward' else step, device, args.warmup,
                                    args.max_steps, budget, f'{phase} {scan_name} batch {batch}')
                r = result(phase, scan_name, batch, args.depth, warm, times, device)
                info['phases'].append(r)
                print(json.dumps({'kind': 'mamba-cl-gpu-check-torch-phase', **r}), flush=True)
            except Exception as e:  # noqa: BLE001 -- an out-of-memory must not lose the other figures
                info['errors'].append({'phase': f'{phase} {scan_name}', 'error': f'{type(e).__name__}: {e}'})
                log(f'{phase} {scan_name} failed: {type(e).__name__}: {e}')
                if device.type == 'cuda':
                    torch.cuda.empty_cache()
            del img, labels
    info['totalS'] = round(time.perf_counter() - T0, 1)
    print(json.dumps(info), flush=True)
    return 1 if info['errors'] else 0


if __name__ == '__main__':
    sys.exit(main())
