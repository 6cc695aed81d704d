#!/usr/bin/python3
"""Makes the Pillow/torchvision reference fixtures for packages/datasets/src/transforms and src/image.

Run with Debian's Python (Pillow 9.4 from python3-pil; torchvision 0.14 from python3-torchvision when present):

    apt-get install -y python3-pil python3-numpy python3-torchvision
    /usr/bin/python3 packages/datasets/scripts/make_transform_fixtures.py

Inputs are synthetic images made by `synth()` (re-implemented bit for bit in
src/transforms/testing/synth_image.ts), so only the expected outputs are stored: gzip'd raw uint8 HWC
bytes (or float32 little-endian for the normalised pipeline outputs), listed in cases.json.
Decoder fixtures (JPEG/PNG/BMP files made by Pillow) are stored with Pillow's decoded pixels.
"""
import gzip
import io
import json
import math
import os
import sys

import numpy as np
import PIL
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "transforms")
M32 = 0xFFFFFFFF

try:
    import torch
    import torchvision
    from torchvision.transforms import InterpolationMode
    from torchvision.transforms import functional as F
    from torchvision.transforms.autoaugment import AutoAugment, _apply_op

    HAVE_TV = True
except Exception as e:  # noqa: BLE001
    print("torchvision not available, AutoAugment fixtures use the equivalent Pillow calls:", e)
    HAVE_TV = False


def hash8(a, b, c, d):
    h = (a * 0x9E3779B1 + b * 0x85EBCA77 + c * 0xC2B2AE3D + d * 0x27D4EB2F) & M32
    h ^= h >> 15
    h = (h * 0x2C1B3C6D) & M32
    h ^= h >> 12
    h = (h * 0x297A2D39) & M32
    h ^= h >> 15
    return h & 255


def synth(h, w, c, seed):
    """Checkerboard of 8×8 tiles: random 3×3 blocks on odd tiles, a gradient on even ones, a few spikes."""
    out = np.zeros((h, w, c), dtype=np.uint8)
    for y in range(h):
        for x in range(w):
            for ch in range(c):
                if ((x >> 3) + (y >> 3)) & 1:
                    v = hash8(x // 3, y // 3, ch, seed)
                else:
                    v = (x * 5 + y * 3 + ch * 40 + seed * 17) & 255
                if hash8(x, y, ch + 7, seed) == 0:
                    v = 255 - v
                out[y, x, ch] = v
    return out


def to_pil(arr):
    return Image.fromarray(arr[:, :, 0], "L") if arr.shape[2] == 1 else Image.fromarray(arr, "RGB")


def from_pil(img):
    a = np.asarray(img, dtype=np.uint8)
    if a.ndim == 2:
        a = a[:, :, None]
    return a


cases = []


def write_gz(path, data):
    with open(path, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as f:
            f.write(data)


def add(name, inp, op, params, out_arr, dtype="uint8"):
    fname = name + ".bin.gz"
    data = np.ascontiguousarray(out_arr)
    if dtype == "float32":
        data = data.astype("<f4")
    write_gz(os.path.join(OUT, fname), data.tobytes())
    h, w, c = out_arr.shape
    cases.append({"name": name, "input": inp, "op": op, "params": params,
                  "output": {"height": h, "width": w, "channels": c, "dtype": dtype}, "file": fname})


def inp_spec(h, w, c, seed):
    return {"height": h, "width": w, "channels": c, "seed": seed}


RESAMPLE = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC, "nearest": Image.NEAREST}


def resize_cases():
    specs = [
        ("resize_cifar_32_to_192_bicubic", (32, 32, 3, 1), (192, 192), "bicubic", None),
        ("resize_500x375_to_224_bilinear", (375, 500, 3, 2), (224, 224), "bilinear", None),
        ("resize_L_37x23_to_16x50_bicubic", (23, 37, 1, 3), (16, 50), "bicubic", None),
        ("resize_L_37x23_to_16x50_bilinear", (23, 37, 1, 3), (16, 50), "bilinear", None),
        ("resize_64x48_to_29x31_bilinear", (48, 64, 3, 4), (29, 31), "bilinear", None),
        ("resize_64x48_to_100x77_bicubic", (48, 64, 3, 4), (100, 77), "bicubic", None),
        ("resize_7x5_to_3x11_bicubic", (5, 7, 3, 5), (3, 11), "bicubic", None),
        ("resize_9x1_to_4x3_bilinear", (1, 9, 1, 6), (4, 3), "bilinear", None),
        ("resize_96_to_21_bicubic", (96, 96, 3, 7), (21, 21), "bicubic", None),
        ("resize_box_100x80_to_40x30_bicubic", (80, 100, 3, 8), (40, 30), "bicubic", (10.5, 7.25, 80.3, 66.9)),
        ("resize_box_100x80_to_70x50_bilinear", (80, 100, 1, 9), (70, 50), "bilinear", (3, 2, 97, 61)),
    ]
    rs = np.random.RandomState(1234)
    for k in range(24):
        h, w = int(rs.randint(1, 41)), int(rs.randint(1, 41))
        oh, ow = int(rs.randint(1, 61)), int(rs.randint(1, 61))
        c = 1 if k % 3 == 0 else 3
        filt = "bicubic" if k % 2 == 0 else "bilinear"
        specs.append((f"resize_random_{k}_{w}x{h}_to_{ow}x{oh}_{filt}", (h, w, c, 100 + k), (ow, oh), filt, None))
    for name, (h, w, c, seed), (ow, oh), filt, box in specs:
        img = to_pil(synth(h, w, c, seed))
        out = img.resize((ow, oh), RESAMPLE[filt], box=box)
        params = {"width": ow, "height": oh, "filter": filt}
        if box is not None:
            params["box"] = list(box)
        add(name, inp_spec(h, w, c, seed), "resize", params, from_pil(out))


def crop_cases():
    # torchvision semantics: centre crop and resized crop (crop, then resize) on PIL images
    for name, (h, w, c, seed), size in [
        ("center_crop_224_to_192", (224, 224, 3, 10), (192, 192)),
        ("center_crop_odd_37x30_to_20x9", (30, 37, 3, 11), (9, 20)),
    ]:
        img = to_pil(synth(h, w, c, seed))
        th, tw = size
        if HAVE_TV:
            out = F.center_crop(img, [th, tw])
        else:
            top = int(round((h - th) / 2.0))
            left = int(round((w - tw) / 2.0))
            out = img.crop((left, top, left + tw, top + th))
        add(name, inp_spec(h, w, c, seed), "center_crop", {"height": th, "width": tw}, from_pil(out))
    for name, (h, w, c, seed), (top, left, ch, cw), filt in [
        ("resized_crop_32_bicubic", (32, 32, 3, 12), (5, 3, 19, 26), "bicubic"),
        ("resized_crop_375x500_bilinear", (375, 500, 3, 13), (40, 77, 301, 250), "bilinear"),
    ]:
        img = to_pil(synth(h, w, c, seed))
        if HAVE_TV:
            interp = InterpolationMode.BICUBIC if filt == "bicubic" else InterpolationMode.BILINEAR
            out = F.resized_crop(img, top, left, ch, cw, [48, 48], interp)
        else:
            out = img.crop((left, top, left + cw, top + ch)).resize((48, 48), RESAMPLE[filt])
        add(name, inp_spec(h, w, c, seed), "resized_crop",
            {"top": top, "left": left, "height": ch, "width": cw, "size": 48, "filter": filt}, from_pil(out))


def linspace32(start, end, n):
    """torch.linspace on CPU for float32: start + step*i below n//2, end - step*(n-1-i) from there."""
    f = np.float32
    step = f((f(end) - f(start)) / f(n - 1))
    return [float(f(start) + step * f(i)) if i < n // 2 else float(f(end) - step * f(n - 1 - i)) for i in range(n)]


def aa_magnitudes(h, w):
    if HAVE_TV:
        space = AutoAugment()._augmentation_space(10, (h, w))
        return {k: [float(x) for x in v[0].reshape(-1).tolist()] for k, v in space.items()}
    # fallback: the same tables emulated in float32
    return {
        "ShearX": linspace32(0.0, 0.3, 10), "ShearY": linspace32(0.0, 0.3, 10),
        "TranslateX": linspace32(0.0, 150.0 / 331.0 * w, 10), "TranslateY": linspace32(0.0, 150.0 / 331.0 * h, 10),
        "Rotate": linspace32(0.0, 30.0, 10), "Brightness": linspace32(0.0, 0.9, 10),
        "Color": linspace32(0.0, 0.9, 10), "Contrast": linspace32(0.0, 0.9, 10), "Sharpness": linspace32(0.0, 0.9, 10),
        "Posterize": [8, 8, 7, 7, 6, 6, 5, 5, 4, 4], "Solarize": linspace32(255.0, 0.0, 10),
        "AutoContrast": [0.0], "Equalize": [0.0], "Invert": [0.0],
    }


def pil_apply_op(img, op, mag, interpolation):
    """The Pillow calls torchvision 0.14 makes for each AutoAugment op (fill=None → 0)."""
    fill = 0 if img.mode == "L" else (0, 0, 0)
    w, h = img.size
    if op in ("ShearX", "ShearY", "TranslateX", "TranslateY"):
        if op.startswith("Shear"):
            s = math.radians(math.degrees(math.atan(mag)))
            t = math.tan(s)
            matrix = [1.0, t, 0.0, 0.0, 1.0, 0.0] if op == "ShearX" else [1.0, 0.0, 0.0, t, 1.0, 0.0]
        else:
            tx, ty = (int(mag), 0) if op == "TranslateX" else (0, int(mag))
            matrix = [1.0, 0.0, -tx, 0.0, 1.0, -ty]
        return img.transform(img.size, Image.AFFINE, matrix, interpolation, fillcolor=fill)
    if op == "Rotate":
        return img.rotate(mag, interpolation, fillcolor=fill)
    if op == "Brightness":
        return ImageEnhance.Brightness(img).enhance(1.0 + mag)
    if op == "Color":
        return ImageEnhance.Color(img).enhance(1.0 + mag)
    if op == "Contrast":
        return ImageEnhance.Contrast(img).enhance(1.0 + mag)
    if op == "Sharpness":
        return ImageEnhance.Sharpness(img).enhance(1.0 + mag)
    if op == "Posterize":
        return ImageOps.posterize(img, int(mag))
    if op == "Solarize":
        return ImageOps.solarize(img, mag)
    if op == "AutoContrast":
        return ImageOps.autocontrast(img)
    if op == "Equalize":
        return ImageOps.equalize(img)
    if op == "Invert":
        return ImageOps.invert(img)
    raise ValueError(op)


def aa_cases():
    ops = [
        ("ShearX", 7, 1), ("ShearX", 9, -1), ("ShearY", 5, 1), ("ShearY", 8, -1),
        ("TranslateX", 9, 1), ("TranslateX", 8, -1), ("TranslateY", 3, -1), ("TranslateY", 9, 1),
        ("Rotate", 9, 1), ("Rotate", 2, -1), ("Rotate", 8, 1),
        ("Brightness", 7, 1), ("Brightness", 6, -1), ("Color", 9, 1), ("Color", 3, -1), ("Color", 0, 1),
        ("Contrast", 8, 1), ("Contrast", 6, -1), ("Sharpness", 9, 1), ("Sharpness", 1, -1),
        ("Posterize", 4, 1), ("Posterize", 7, 1), ("Solarize", 5, 1), ("Solarize", 3, 1), ("Solarize", 8, 1),
        ("AutoContrast", None, 1), ("Equalize", None, 1), ("Invert", None, 1),
    ]
    images = [("rgb32", (32, 32, 3, 21)), ("rgb45x37", (37, 45, 3, 22)), ("L30x26", (26, 30, 1, 23))]
    mags_out = {}
    for iname, (h, w, c, seed) in images:
        arr = synth(h, w, c, seed)
        if iname == "rgb45x37":
            # a low-contrast image so that AutoContrast and Equalize do something non-trivial
            arr = (arr // 3 + 60).astype(np.uint8)
        img = to_pil(arr)
        space = aa_magnitudes(h, w)
        mags_out[f"{h}x{w}"] = space
        for interp_name in ("bilinear", "nearest", "bicubic"):
            interp = {"bilinear": Image.BILINEAR, "nearest": Image.NEAREST, "bicubic": Image.BICUBIC}[interp_name]
            for op, bin_, sign in ops:
                geometric = op in ("ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate")
                if interp_name != "bilinear" and not geometric:
                    continue
                if interp_name == "bicubic" and iname != "rgb32":
                    continue
                mag = 0.0 if bin_ is None else space[op][bin_]
                if sign < 0:
                    mag = -mag
                if HAVE_TV:
                    tv_interp = {"bilinear": InterpolationMode.BILINEAR, "nearest": InterpolationMode.NEAREST,
                                 "bicubic": InterpolationMode.BICUBIC}[interp_name]
                    out = _apply_op(img, op, mag, interpolation=tv_interp, fill=None)
                    ref = pil_apply_op(img, op, mag, interp)
                    if not np.array_equal(from_pil(out), from_pil(ref)):
                        print("NOTE: torchvision and the direct Pillow call differ for", op, iname)
                else:
                    out = pil_apply_op(img, op, mag, interp)
                name = f"aa_{iname}_{op}_{'x' if bin_ is None else bin_}{'n' if sign < 0 else 'p'}_{interp_name}"
                add(name, inp_spec(h, w, c, seed), "autoaugment_op",
                    {"op": op, "bin": bin_, "negative": sign < 0, "magnitude": mag, "interpolation": interp_name,
                     "lowContrast": iname == "rgb45x37"}, from_pil(out))
    return mags_out


def rotate_cases():
    """Pillow rotate fast paths (0/90/180/270) and generic angles, plus a raw affine matrix."""
    for (h, w, c, seed) in [(12, 12, 3, 51), (9, 14, 1, 52)]:
        img = to_pil(synth(h, w, c, seed))
        for angle in (90, 180, 270, -90, 45.5, 400):
            for interp_name, interp in (("nearest", Image.NEAREST), ("bilinear", Image.BILINEAR),
                                        ("bicubic", Image.BICUBIC)):
                out = img.rotate(angle, interp, fillcolor=0 if c == 1 else (0, 0, 0))
                add(f"rotate_{h}x{w}x{c}_{angle}_{interp_name}", inp_spec(h, w, c, seed), "rotate",
                    {"angle": angle, "interpolation": interp_name}, from_pil(out))
        for interp_name, interp in (("nearest", Image.NEAREST), ("bilinear", Image.BILINEAR),
                                    ("bicubic", Image.BICUBIC)):
            m = (0.8, 0.35, -2.5, -0.2, 1.1, 1.75)
            out = img.transform(img.size, Image.AFFINE, m, interp, fillcolor=0 if c == 1 else (0, 0, 0))
            add(f"affine_{h}x{w}x{c}_{interp_name}", inp_spec(h, w, c, seed), "affine",
                {"matrix": list(m), "interpolation": interp_name}, from_pil(out))


def pipeline_cases():
    mean = (0.485, 0.456, 0.406)
    std = (0.229, 0.224, 0.225)
    if not HAVE_TV:
        return
    from torchvision import transforms as T

    arr = synth(32, 32, 3, 31)
    t = T.Compose([T.Resize((192, 192), interpolation=InterpolationMode.BICUBIC), T.ToTensor(), T.Normalize(mean, std)])
    out = t(to_pil(arr)).permute(1, 2, 0).numpy()
    add("pipeline_cifar100_eval", inp_spec(32, 32, 3, 31), "preset", {"preset": "cifar100-eval"}, out, "float32")
    arr = synth(61, 83, 3, 32)
    t = T.Compose([T.Resize((224, 224), interpolation=InterpolationMode.BILINEAR), T.CenterCrop(192), T.ToTensor(),
                   T.Normalize(mean, std)])
    out = t(to_pil(arr)).permute(1, 2, 0).numpy()
    add("pipeline_imagenet_r_eval", inp_spec(61, 83, 3, 32), "preset", {"preset": "imagenet-r-eval"}, out, "float32")


def swapped_primaries_icc():
    """An sRGB ICC profile with the red and blue primaries swapped: a colour-managing decoder swaps R and B,
    Pillow (no colour management) does not."""
    import struct

    from PIL import ImageCms

    p = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    n = struct.unpack(">I", p[128:132])[0]
    tags = {bytes(p[132 + 12 * i:136 + 12 * i]): 132 + 12 * i for i in range(n)}
    r, b = tags[b"rXYZ"], tags[b"bXYZ"]
    p[r + 4:r + 12], p[b + 4:b + 12] = p[b + 4:b + 12], p[r + 4:r + 12]
    return bytes(p)


def decode_cases():
    dec = []
    rgb = synth(40, 48, 3, 41)
    grey = synth(33, 27, 1, 42)

    def save(fname, img, fmt, **kw):
        path = os.path.join(OUT, "decode", fname)
        img.save(path, fmt, **kw)
        with Image.open(path) as im:
            mode = im.mode
            ref = im.convert("L" if mode in ("L", "LA", "I;16") else "RGB")  # CMYK: Pillow's naive cmyk2rgb
        raw = from_pil(ref)
        write_gz(path + ".expected.gz", raw.tobytes())
        h, w, c = raw.shape
        dec.append({"file": "decode/" + fname, "mode": mode, "height": h, "width": w, "channels": c,
                    "expected": "decode/" + fname + ".expected.gz"})

    os.makedirs(os.path.join(OUT, "decode"), exist_ok=True)
    save("rgb.jpg", to_pil(rgb), "JPEG", quality=90)
    save("rgb_444.jpg", to_pil(rgb), "JPEG", quality=95, subsampling=0)
    save("grey.jpg", to_pil(grey), "JPEG", quality=90)
    save("cmyk.jpg", to_pil(rgb).convert("CMYK"), "JPEG", quality=92)
    icc = swapped_primaries_icc()
    save("icc_swapped.jpg", to_pil(rgb), "JPEG", quality=92, icc_profile=icc)
    save("icc_swapped.png", to_pil(rgb), "PNG", icc_profile=icc)
    save("rgb.png", to_pil(rgb), "PNG")
    save("grey.png", to_pil(grey), "PNG")
    rgba = np.concatenate([rgb, synth(40, 48, 1, 43)], axis=2)
    save("rgba.png", Image.fromarray(rgba, "RGBA"), "PNG")
    save("palette.png", to_pil(rgb).convert("P", palette=Image.ADAPTIVE, colors=17), "PNG")
    save("rgb.bmp", to_pil(rgb), "BMP")
    save("rgb_odd_width.bmp", to_pil(synth(7, 5, 3, 44)), "BMP")
    save("grey.bmp", to_pil(grey), "BMP")
    save("palette.bmp", to_pil(rgb).convert("P", palette=Image.ADAPTIVE, colors=13), "BMP")
    return dec


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".bin.gz"):
            os.remove(os.path.join(OUT, f))
    resize_cases()
    crop_cases()
    mags = aa_cases()
    rotate_cases()
    pipeline_cases()
    dec = decode_cases()
    policies = None
    if HAVE_TV:
        from torchvision.transforms import AutoAugmentPolicy

        aa = AutoAugment()
        policies = {name: [[[op, prob, mag] for op, prob, mag in sub] for sub in aa._get_policies(pol)]
                    for name, pol in (("cifar10", AutoAugmentPolicy.CIFAR10), ("imagenet", AutoAugmentPolicy.IMAGENET),
                                      ("svhn", AutoAugmentPolicy.SVHN))}
    meta = {
        "pillow": PIL.__version__,
        "autoaugmentPolicies": policies,
        "torchvision": torchvision.__version__ if HAVE_TV else None,
        "torch": torch.__version__ if HAVE_TV else None,
        "autoaugmentMagnitudes": mags,
        "cases": cases,
        "decode": dec,
    }
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(meta, f, indent=1)
    total = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(OUT) for fn in fns)
    print(f"{len(cases)} cases, {len(dec)} decode files, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
