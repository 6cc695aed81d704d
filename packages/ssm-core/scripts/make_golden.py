"""Golden fixtures for the VisionMamba port: an independent PyTorch implementation of spec §1.2.

Run with Debian's python3 + python3-torch:
    /usr/bin/python3 packages/ssm-core/scripts/make_golden.py
Writes packages/ssm-core/fixtures/golden/:
  golden.pth            torch.save({'model': state_dict, 'epoch': 3}) with the OFFICIAL key names (fused
                        x_proj.weight [dtRank+2N, dInner], freq, ...), extra head keys (dropped by the
                        loader), one non-contiguous (transposed) tensor and two tensors sharing a storage
                        at an offset
  golden_fp16.pth / golden_bf16.pth   the same weights stored as float16 / bfloat16
  golden.safetensors    the same weights after the x_proj split, F32, written by hand (header + data)
  golden.json           config, NHWC input images, CLS features, logits of the small head, and the
                        taps (x, delta, y) of every block, plus fp16/bf16-rounded reference values
"""
import json
import math
import os
import struct
from collections import OrderedDict

import torch
import torch.nn.functional as F

torch.manual_seed(20241122)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'golden')
os.makedirs(OUT, exist_ok=True)

cfg = dict(imgSize=8, patchSize=4, inChans=3, dModel=16, depth=2, dInner=32, dState=4, dtRank=3, dConv=4,
           groupNormSize=8, useRope=True, deltaScale=1.0, ropeScale=1.0, rmsEps=1e-5, finalNormEps=1e-6)
B = 2
dM, dI, N, R, K, P, C = cfg['dModel'], cfg['dInner'], cfg['dState'], cfg['dtRank'], cfg['dConv'], cfg['patchSize'], cfg['inChans']
NCLS = 3


def rnd(*shape, std=0.3):
    return torch.randn(*shape) * std


# ---- weights with the official names (module registration order: own params, then children) ----
sd = OrderedDict()
sd['cls_token'] = rnd(1, 1, dM, std=0.5)
sd['patch_embed.proj.weight'] = rnd(dM, C, P, P, std=0.2)
sd['patch_embed.proj.bias'] = rnd(dM, std=0.1)
for i in range(cfg['depth']):
    m = f'blocks.{i}.mixer.'
    sd[m + 'A_log'] = torch.log(torch.arange(1, N + 1, dtype=torch.float32)).repeat(dI, 1) + rnd(dI, N, std=0.1)
    sd[m + 'D'] = 1 + rnd(dI, std=0.2)
    sd[m + 'freq'] = torch.rand(N) * 1.5  # per-element (mismatched pairs)
    sd[m + 'in_proj.weight'] = rnd(2 * dI, dM, std=0.25)
    sd[m + 'conv1d.weight'] = rnd(dI, 1, K, std=0.4)
    sd[m + 'conv1d.bias'] = rnd(dI, std=0.1)
    sd[m + 'x_proj.weight'] = rnd(R + 2 * N, dI, std=0.2)
    sd[m + 'dt_proj.weight'] = rnd(dI, R, std=0.4)
    dt = torch.exp(torch.rand(dI) * (math.log(0.1) - math.log(1e-3)) + math.log(1e-3))
    sd[m + 'dt_proj.bias'] = dt + torch.log(-torch.expm1(-dt))
    sd[m + 'out_proj.weight'] = rnd(dI, dM, std=0.2).t()  # NON-contiguous view [dM, dI], stride (1, dM)
    sd[f'blocks.{i}.norm.weight'] = 1 + rnd(dM, std=0.1)
shared = 1 + rnd(2 * dM + 5, std=0.1)
sd['norm.weight'] = shared[5:5 + dM]  # storage offset 5
sd['norm.bias'] = shared[5 + dM:5 + 2 * dM]  # same storage, offset 5+dM
assert not sd['blocks.0.mixer.out_proj.weight'].is_contiguous()
head_w = rnd(NCLS, dM, std=0.3)
head_b = rnd(NCLS, std=0.1)


# ---- independent forward (spec §1.2), float32 ----
def rms(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def mixer(u, p):
    Bsz, L, _ = u.shape
    xz = u @ p['in_proj.weight'].t()
    xt, z = xz[..., :dI], xz[..., dI:]
    xc = F.conv1d(xt.transpose(1, 2), p['conv1d.weight'], p['conv1d.bias'], padding=K - 1, groups=dI)[..., :L]
    x = F.silu(xc.transpose(1, 2))  # [B, L, dI]
    xdbl = x @ p['x_proj.weight'].t()
    r, b, c = xdbl[..., :R], xdbl[..., R:R + N], xdbl[..., R + N:]
    t = torch.arange(L, dtype=torch.float32)[:, None] / cfg['ropeScale']
    th = t * p['freq'][None, :]  # [L, N]

    def rope(v):
        out = torch.empty_like(v)
        out[..., 0::2] = v[..., 0::2] * torch.cos(th[:, 0::2]) - v[..., 1::2] * torch.sin(th[:, 0::2])
        out[..., 1::2] = v[..., 1::2] * torch.cos(th[:, 1::2]) + v[..., 0::2] * torch.sin(th[:, 1::2])
        return out

    if cfg['useRope']:
        b, c = rope(b), rope(c)
    delta = F.softplus(r @ p['dt_proj.weight'].t() + p['dt_proj.bias']) / cfg['deltaScale']
    A = -torch.exp(p['A_log'])
    h = torch.zeros(Bsz, dI, N)
    ss = []
    for k in range(L):
        h = torch.exp(delta[:, k, :, None] * A) * h + delta[:, k, :, None] * b[:, k, None, :] * x[:, k, :, None]
        ss.append((h * c[:, k, None, :]).sum(-1))
    s = torch.stack(ss, 1)
    g = s.reshape(Bsz, L, dI // cfg['groupNormSize'], cfg['groupNormSize'])
    s_hat = (g * torch.rsqrt(g.pow(2).mean(-1, keepdim=True) + 1e-6)).reshape(Bsz, L, dI)
    y = (s_hat + p['D'] * x) * F.silu(z)
    return y @ p['out_proj.weight'].t(), dict(x=x, delta=delta, y=y)


def forward(weights, imgs_nhwc):
    imgs = imgs_nhwc.permute(0, 3, 1, 2)
    t = F.conv2d(imgs, weights['patch_embed.proj.weight'], weights['patch_embed.proj.bias'], stride=P)
    t = t.flatten(2).transpose(1, 2)
    h = torch.cat([t, weights['cls_token'].expand(imgs.shape[0], -1, -1)], 1)  # CLS appended last
    taps = []
    for i in range(cfg['depth']):
        p = {k[len(f'blocks.{i}.mixer.'):]: v for k, v in weights.items() if k.startswith(f'blocks.{i}.mixer.')}
        out, tp = mixer(rms(h, weights[f'blocks.{i}.norm.weight'], cfg['rmsEps']), p)
        h = h + out
        taps.append(tp)
    h = F.layer_norm(h, (dM,), weights['norm.weight'], weights['norm.bias'], eps=cfg['finalNormEps'])
    return h[:, -1], taps


imgs = torch.randn(B, cfg['imgSize'], cfg['imgSize'], C)
with torch.no_grad():
    feats, taps = forward(sd, imgs)
    logits = feats @ head_w.t() + head_b


def flat(t):
    return [float(v) for v in t.contiguous().reshape(-1).tolist()]


# ---- checkpoints ----
full = OrderedDict(sd)
full['head.weight'] = head_w
full['head.bias'] = head_b
full['head2.weight'] = rnd(5, dM)  # an unrelated upstream head: dropped by the loader
torch.save({'model': full, 'epoch': 3}, os.path.join(OUT, 'golden.pth'))
torch.save({'model': OrderedDict((k, v.half()) for k, v in sd.items())}, os.path.join(OUT, 'golden_fp16.pth'))
torch.save({'model': OrderedDict((k, v.bfloat16()) for k, v in sd.items())}, os.path.join(OUT, 'golden_bf16.pth'))

# split state dict as safetensors (x_proj → x_proj_step/B/C rows, spec §1.4)
split = OrderedDict()
for k, v in sd.items():
    if k.endswith('mixer.x_proj.weight'):
        base = k[:-len('x_proj.weight')]
        split[base + 'x_proj_step.weight'] = v[:R]
        split[base + 'x_proj_B.weight'] = v[R:R + N]
        split[base + 'x_proj_C.weight'] = v[R + N:]
    else:
        split[k] = v
header, blobs, off = {}, [], 0
for k, v in split.items():
    data = v.contiguous().numpy().astype('<f4').tobytes()
    header[k] = {'dtype': 'F32', 'shape': list(v.shape), 'data_offsets': [off, off + len(data)]}
    blobs.append(data)
    off += len(data)
header['__metadata__'] = {'format': 'pt'}
hj = json.dumps(header).encode()
hj += b' ' * ((8 - len(hj) % 8) % 8)
with open(os.path.join(OUT, 'golden.safetensors'), 'wb') as f:
    f.write(struct.pack('<Q', len(hj)) + hj + b''.join(blobs))

json.dump({
    'config': cfg,
    'batch': B,
    'images': flat(imgs),
    'features': flat(feats),
    'headWeight': flat(head_w),
    'headBias': flat(head_b),
    'logits': flat(logits),
    'taps': [{k: flat(v) for k, v in tp.items()} for tp in taps],
    'keys': list(sd.keys()),
    'normWeightFp16': flat(sd['norm.weight'].half().float()),
    'outProj0Bf16': flat(sd['blocks.0.mixer.out_proj.weight'].bfloat16().float()),
    'xProj1': flat(sd['blocks.1.mixer.x_proj.weight']),
}, open(os.path.join(OUT, 'golden.json'), 'w'))
print('features', feats[0, :4].tolist(), 'sizes', {f: os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT)})


# ---- malformed / hostile files for the loader tests ----
class Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned',))


torch.save({'model': OrderedDict(w=torch.ones(2)), 'payload': Evil()}, os.path.join(OUT, 'evil.pth'))
import zipfile  # noqa: E402

with zipfile.ZipFile(os.path.join(OUT, 'deflated.zip'), 'w', compression=zipfile.ZIP_DEFLATED) as z:
    z.writestr('archive/data.pkl', b'\x80\x02}q\x00.' * 20)
print('wrote evil.pth, deflated.zip')
