"""Eager PyTorch CPU baseline for the training-step benchmark (runStepPerf): same tiny backbone
(28×28×1, patch 4, dModel 64, dInner 128, N 16, dtRank 4, depth 4, group 32), batch 64, the official
trainable set + a linear head, cross-entropy, Adam; ONE thread; python-loop selective scan (as the
official code's reference path, no CUDA kernel).

    /usr/bin/python3 packages/ssm-core/scripts/torch_step_baseline.py [steps]
Prints wall and process-CPU milliseconds per step and images per CPU-second.
"""
import math
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
Bsz, IMG, P, C, dM, dI, N, R, K, G, DEPTH, NCLS = 64, 28, 4, 1, 64, 128, 16, 4, 4, 32, 4, 10
L = (IMG // P) ** 2 + 1


def param(*shape, std=0.1, trainable=False):
    return torch.nn.Parameter(torch.randn(*shape) * std, requires_grad=trainable)


patch_w, patch_b, cls = param(dM, C, P, P), param(dM), param(1, 1, dM)
blocks = []
for _ in range(DEPTH):
    blocks.append(dict(
        norm=torch.nn.Parameter(torch.ones(dM), requires_grad=False),
        in_proj=param(2 * dI, dM), conv_w=param(dI, 1, K, std=0.5), conv_b=param(dI),
        x_step=param(R, dI, trainable=True), x_B=param(N, dI, trainable=True), x_C=param(N, dI, trainable=True),
        dt_w=param(dI, R, std=0.5), dt_b=torch.nn.Parameter(torch.full((dI,), -4.0), requires_grad=False),
        A_log=torch.nn.Parameter(torch.log(torch.arange(1, N + 1.0)).repeat(dI, 1)),
        D=torch.nn.Parameter(torch.ones(dI), requires_grad=False), out_proj=param(dM, dI, trainable=True),
        freq=torch.nn.Parameter(torch.rand(N), requires_grad=False)))
norm_w, norm_b = torch.nn.Parameter(torch.ones(dM), requires_grad=False), torch.nn.Parameter(torch.zeros(dM), requires_grad=False)
head = torch.nn.Linear(dM, NCLS)
train = [p for b in blocks for k, p in b.items() if k in ('x_step', 'x_B', 'x_C', 'A_log', 'out_proj')] + list(head.parameters())
opt = torch.optim.Adam(train, lr=1e-4)


def rope(v, th):
    out = torch.empty_like(v)
    out[..., 0::2] = v[..., 0::2] * torch.cos(th[:, 0::2]) - v[..., 1::2] * torch.sin(th[:, 0::2])
    out[..., 1::2] = v[..., 1::2] * torch.cos(th[:, 1::2]) + v[..., 0::2] * torch.sin(th[:, 1::2])
    return out


def mixer(u, p):
    xz = u @ p['in_proj'].t()
    xt, z = xz[..., :dI], xz[..., dI:]
    x = F.silu(F.conv1d(xt.transpose(1, 2), p['conv_w'], p['conv_b'], padding=K - 1, groups=dI)[..., :L].transpose(1, 2))
    r, b, c = x @ p['x_step'].t(), x @ p['x_B'].t(), x @ p['x_C'].t()
    th = torch.arange(L, dtype=torch.float32)[:, None] * p['freq'][None]
    b, c = rope(b, th), rope(c, th)
    delta = F.softplus(r @ p['dt_w'].t() + p['dt_b'])
    A = -torch.exp(p['A_log'])
    dA = torch.exp(delta[..., None] * A)
    dBx = delta[..., None] * b[:, :, None, :] * x[..., None]
    h = torch.zeros(u.shape[0], dI, N)
    ys = []
    for t in range(L):
        h = dA[:, t] * h + dBx[:, t]
        ys.append((h * c[:, t, None, :]).sum(-1))
    s = torch.stack(ys, 1).reshape(u.shape[0], L, dI // G, G)
    s = (s * torch.rsqrt(s.pow(2).mean(-1, keepdim=True) + 1e-6)).reshape(u.shape[0], L, dI)
    return ((s + p['D'] * x) * F.silu(z)) @ p['out_proj'].t()


def forward(img):
    t = F.conv2d(img, patch_w, patch_b, stride=P).flatten(2).transpose(1, 2)
    h = torch.cat([t, cls.expand(img.shape[0], -1, -1)], 1)
    for p in blocks:
        h = h + mixer(h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + 1e-5) * p['norm'], p)
    return F.layer_norm(h[:, -1], (dM,), norm_w, norm_b, 1e-6)


img = torch.randn(Bsz, C, IMG, IMG)
labels = torch.arange(Bsz) % NCLS


def step():
    opt.zero_grad()
    loss = F.cross_entropy(head(forward(img)), labels)
    loss.backward()
    opt.step()


steps = int(sys.argv[1]) if len(sys.argv) > 1 else 10
for _ in range(2):
    step()
t0, c0 = time.perf_counter(), time.process_time()
for _ in range(steps):
    step()
wall = (time.perf_counter() - t0) / steps * 1000
cpu = (time.process_time() - c0) / steps * 1000
print(f'torch {torch.__version__} eager, 1 thread, batch {Bsz}: {wall:.1f} wall-ms/step ({Bsz * 1000 / wall:.1f} img/s), '
      f'{cpu:.1f} CPU-ms/step ({Bsz * 1000 / cpu:.1f} images per CPU-second)')
