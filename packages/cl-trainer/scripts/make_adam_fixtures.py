#!/usr/bin/python3
"""Fixtures for @mamba-cl/cl-trainer: an independent PyTorch implementation of spec §3.2 (the five
feature covariances from the readers' tensors) and §3.5 (ModAdam: coupled L2, unprojected moments,
projected final step), run in float32.

Run with Debian's python3 + python3-torch:
    /usr/bin/python3 packages/cl-trainer/scripts/make_adam_fixtures.py
Writes packages/cl-trainer/fixtures/adam_covariance.json, and, from the golden tiny VisionMamba of
@mamba-cl/ssm-core (its independent PyTorch forward pass: weights, images and per-block taps in
packages/ssm-core/fixtures/golden/), the five covariances of that model on those images:
packages/cl-trainer/fixtures/golden_vim_covariances.json + a copy of golden_vim.safetensors.
"""
import json
import os
import shutil

import torch

torch.manual_seed(2024)
torch.set_default_dtype(torch.float32)


def tolist(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def five_covariances(batches, D):
    """Spec §3.2: per batch, XᵀX/(b·L) (W_δ, W_C), MᵀM/(b·D) with M_i = Δ_iᵀX_i (W_B), ΔᵀΔ/(b·L) (A),
    YᵀY/(b·L) (out); batches summed (each divided by its own row count)."""
    K = {k: torch.zeros(D, D) for k in ("step", "C", "B", "A", "out")}
    for x, delta, y in batches:
        b, L, _ = x.shape
        X = x.reshape(b * L, D)
        K["step"] += X.T @ X / (b * L)
        K["C"] += X.T @ X / (b * L)
        M = torch.einsum("bld,ble->bde", delta, x).reshape(b * D, D)
        K["B"] += M.T @ M / (b * D)
        Arows = delta.reshape(b * L, D)
        K["A"] += Arows.T @ Arows / (b * L)
        Y = y.reshape(b * L, D)
        K["out"] += Y.T @ Y / (b * L)
    return K


# ---------------------------------------------------------------- covariances (spec §3.2 – §3.3)
D, L = 6, 5
batches = []
for b in (3, 2):  # a full and a smaller last batch: each is divided by its OWN row count
    x = torch.randn(b, L, D)
    delta = torch.nn.functional.softplus(torch.randn(b, L, D))
    y = torch.randn(b, L, D)
    batches.append((x, delta, y))

K = {k: torch.zeros(D, D) for k in ("step", "C", "B", "A", "out")}
for x, delta, y in batches:
    b = x.shape[0]
    X = x.reshape(b * L, D)  # interm_reader_step / _C: all tokens (CLS included) are rows
    K["step"] += X.T @ X / (b * L)
    K["C"] += X.T @ X / (b * L)
    # interm_reader_B: M[i, d, d'] = sum_t delta[i, t, d] * x[i, t, d']  -> b*D rows of length D
    M = torch.einsum("bld,ble->bde", delta, x).reshape(b * D, D)
    K["B"] += M.T @ M / (b * D)
    # interm_reader_A: delta is [b, D, L] in the official hook; one row per (image, token)
    dl = delta.transpose(1, 2)  # [b, D, L] as captured
    Arows = dl.transpose(1, 2).reshape(b * L, D)
    K["A"] += Arows.T @ Arows / (b * L)
    Y = y.reshape(b * L, D)
    K["out"] += Y.T @ Y / (b * L)

# ---------------------------------------------------------------- ModAdam (spec §3.5)
lr, wd, beta1, beta2, eps = 1e-2, 5e-5, 0.9, 0.999, 1e-8
head_scale = 50.0
factors = [1.0, 1.0, 0.1]  # lr factor per step (a MultiStep decay before step 3)
W0 = torch.randn(4, D)  # an [out, in] weight: right projection U @ P
A0 = torch.randn(D, 3)  # an A_log-like [D, N]: left projection P @ U
H0 = torch.randn(2, 4)  # a head weight: no projection, lr x 50
# A projector of the official form: P = eta * U0 U0^T / sqrt(k) + (1 - eta) I
eta = 0.95
Q, _ = torch.linalg.qr(torch.randn(D, D))
k = 4
U0 = Q[:, D - k :]
P = eta * (U0 @ U0.T) / (k**0.5) + (1 - eta) * torch.eye(D)

grads = [(torch.randn(4, D), torch.randn(D, 3), torch.randn(2, 4)) for _ in factors]

params = {"w": W0.clone(), "a": A0.clone(), "h": H0.clone()}
m = {n: torch.zeros_like(p) for n, p in params.items()}
v = {n: torch.zeros_like(p) for n, p in params.items()}
first_update = {}
for step, (factor, (gw, ga, gh)) in enumerate(zip(factors, grads), start=1):
    for name, g_raw in (("w", gw), ("a", ga), ("h", gh)):
        W = params[name]
        g = g_raw + wd * W  # coupled L2 (Adam, not AdamW)
        m[name] = beta1 * m[name] + (1 - beta1) * g  # moments see the UNPROJECTED gradient
        v[name] = beta2 * v[name] + (1 - beta2) * g * g
        group_lr = lr * factor * (head_scale if name == "h" else 1.0)
        bc1 = 1 - beta1**step
        bc2 = 1 - beta2**step
        U = -(group_lr / bc1) * m[name] / (v[name].sqrt() / (bc2**0.5) + eps)
        if name == "w":
            U = U @ P
        elif name == "a":
            U = P @ U
        if step == 1:
            first_update[name] = U.clone()
        params[name] = W + U

out = {
    "description": "spec §3.2 covariances from reader tensors and §3.5 ModAdam, PyTorch float32 (make_adam_fixtures.py)",
    "torch": torch.__version__,
    "cov": {
        "D": D,
        "L": L,
        "batches": [
            {"b": x.shape[0], "x": tolist(x), "delta": tolist(delta), "y": tolist(y)} for x, delta, y in batches
        ],
        "K": {k2: tolist(v2) for k2, v2 in K.items()},
    },
    "adam": {
        "lr": lr,
        "weightDecay": wd,
        "betas": [beta1, beta2],
        "eps": eps,
        "headScale": head_scale,
        "factors": factors,
        "P": tolist(P),
        "w0": tolist(W0),
        "a0": tolist(A0),
        "h0": tolist(H0),
        "grads": [{"w": tolist(gw), "a": tolist(ga), "h": tolist(gh)} for gw, ga, gh in grads],
        "firstUpdate": {n: tolist(u) for n, u in first_update.items()},
        "final": {n: tolist(p) for n, p in params.items()},
    },
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "adam_covariance.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", os.path.normpath(path), os.path.getsize(path), "bytes")

# ---------------------------------------------------------------- the golden VisionMamba's taps
here = os.path.dirname(os.path.abspath(__file__))
golden_dir = os.path.join(here, "..", "..", "ssm-core", "fixtures", "golden")
golden = json.load(open(os.path.join(golden_dir, "golden.json")))
cfg = golden["config"]
B = golden["batch"]
L = (cfg["imgSize"] // cfg["patchSize"]) ** 2 + 1
D = cfg["dInner"]
per_block = []
for tap in golden["taps"]:
    x, delta, y = (torch.tensor(tap[k], dtype=torch.float32).reshape(B, L, D) for k in ("x", "delta", "y"))
    per_block.append({k: tolist(v) for k, v in five_covariances([(x, delta, y)], D).items()})
shutil.copyfile(os.path.join(golden_dir, "golden.safetensors"), os.path.join(here, "..", "fixtures", "golden_vim.safetensors"))
gpath = os.path.join(here, "..", "fixtures", "golden_vim_covariances.json")
with open(gpath, "w") as f:
    json.dump(
        {
            "description": "five covariances (spec §3.2) of the golden tiny VisionMamba (ssm-core make_golden.py, PyTorch taps) on its images, computed in PyTorch",
            "config": cfg,
            "batch": B,
            "images": golden["images"],
            "blocks": per_block,
        },
        f,
    )
print("wrote", os.path.normpath(gpath), os.path.getsize(gpath), "bytes")
