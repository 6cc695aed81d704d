"""Makes fixtures/threshold_cases.json: spectra and the official adaptive-threshold index i*.

The reference function below restates the semantics of `adaptive_threshold` in the official
Mamba-CL code (train_eval.py, offset=0; spec §3.4): scipy.ndimage.gaussian_filter1d(sigma=10) on
the float32 spectrum, float32 first/second differences, a drop window of int(n*0.03/2), the n < 128
branch (unsmoothed, idx = argmax(d2) + 1), and i* = the largest index whose value reaches s[idx].

Run with the default python3 (numpy 2.4.6, scipy 1.17.1):
    python3 packages/nullspace/scripts/make_threshold_fixtures.py
"""

import json
import os

import numpy as np
import scipy
import scipy.ndimage


class F32:
    """A float32 written with the shortest decimal that reads back (via Math.fround) to the same float32."""

    def __init__(self, v):
        sci = np.format_float_scientific(np.float32(v), unique=True, trim="-").replace("e+", "e")
        pos = np.format_float_positional(np.float32(v), unique=True, trim="-")
        self.text = min(sci, pos, key=len)


def f32_list(a) -> list:
    return [F32(v) for v in np.asarray(a, dtype=np.float32)]


def dumps(obj) -> str:
    if isinstance(obj, F32):
        return obj.text
    if isinstance(obj, dict):
        return "{" + ",".join(json.dumps(k) + ":" + dumps(v) for k, v in obj.items()) + "}"
    if isinstance(obj, list):
        return "[" + ",".join(dumps(v) for v in obj) + "]"
    return json.dumps(obj)


def official_i_star(points: np.ndarray) -> int:
    assert points.dtype == np.float32 and points.ndim == 1
    if len(points) >= 128:
        fil = scipy.ndimage.gaussian_filter1d(points, sigma=10)
        d1 = fil[:-1] - fil[1:]
        d2 = d1[:-1] - d1[1:]
        drop = int(len(points) * 0.03 / 2)
        valid = d2[drop:-drop]
        thr = points[np.argmax(valid) + int((len(points) - len(valid)) / 2)]
    else:
        d1 = points[:-1] - points[1:]
        d2 = d1[:-1] - d1[1:]
        thr = points[np.argmax(d2) + int((len(points) - len(d2)) / 2)]
    return int(np.arange(len(points))[points >= thr].max())


def quantize(s: np.ndarray, digits: int) -> np.ndarray:
    """Rounds to a few significant digits (short JSON, and ties), then to float32, sorted descending."""
    s = np.asarray(s, dtype=np.float64)
    out = np.array([float(f"{v:.{digits}g}") for v in s], dtype=np.float32)
    return np.sort(out)[::-1].copy()


def make_spectrum(rng: np.random.Generator, n: int, shape: str) -> np.ndarray:
    i = np.arange(n, dtype=np.float64)
    if shape == "exp":
        s = np.exp(-i / rng.uniform(2, n / 2))
    elif shape == "power":
        s = 1.0 / (1.0 + i) ** rng.uniform(0.3, 3.0)
    elif shape == "step":
        k = int(rng.integers(1, n - 1))
        s = np.where(i < k, rng.uniform(1, 100), rng.uniform(1e-4, 0.5)) * (1 - i / (2 * n))
    elif shape == "plateau":
        levels = np.sort(rng.uniform(0, 10, size=int(rng.integers(2, 6))))[::-1]
        cuts = np.sort(rng.choice(np.arange(1, n), size=len(levels) - 1, replace=False))
        s = levels[np.searchsorted(cuts, i, side="right")]
    elif shape == "noisy":
        s = np.exp(-i / rng.uniform(5, n / 3)) * (1 + 0.2 * rng.standard_normal(n)) + 1e-3 * rng.random(n)
        s = np.abs(s)
    elif shape == "ties":
        s = np.repeat(rng.uniform(0, 1, size=n // 4 + 1), 4)[:n]
    elif shape == "wishart":
        x = rng.standard_normal((int(n * rng.uniform(0.5, 3)), n))
        x[:, : n // 8] *= 10
        s = np.linalg.eigvalsh(x.T @ x / x.shape[0])[::-1]
        s = np.abs(s)
    else:
        raise ValueError(shape)
    return quantize(s * rng.uniform(1e-3, 1e3), int(rng.integers(3, 5)))


def main() -> None:
    rng = np.random.default_rng(20241122)
    shapes = ["exp", "power", "step", "plateau", "noisy", "ties", "wishart"]
    cases = []
    n_cases = 210
    for c in range(n_cases):
        shape = shapes[c % len(shapes)]
        if c < 7:
            n = 2048
        elif c < 37:
            n = int(rng.integers(16, 128))
        else:
            n = int(np.exp(rng.uniform(np.log(16), np.log(640))))
        s = make_spectrum(rng, n, shape)
        cases.append({"shape": shape, "n": n, "iStar": official_i_star(s), "s": f32_list(s)})

    # Spec §3.4 test vectors (exact float32 values made here, not quantized).
    i = np.arange(2048, dtype=np.float64)
    spec = {
        "exp": np.exp(-i / 50).astype(np.float32),
        "inverse": (1.0 / (1.0 + i)).astype(np.float32),
        "step": ((np.where(i < 100, 10.0, 0.01)) * (1 - i / 4096)).astype(np.float32),
    }
    spec_cases = {k: {"iStar": official_i_star(v)} for k, v in spec.items()}

    # Smoothed outputs, bit for bit, to check the gaussian_filter1d port itself.
    smooth = []
    for c in [cases[0]] + cases[40:46]:
        s = np.array([float(v.text) for v in c["s"]], dtype=np.float32)
        f = scipy.ndimage.gaussian_filter1d(s, sigma=10)
        assert f.dtype == np.float32
        smooth.append({"n": c["n"], "s": c["s"], "f": f32_list(f)})

    weights = scipy.ndimage._filters._gaussian_kernel1d(10, 0, 40)
    out = {
        "generator": "scripts/make_threshold_fixtures.py",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "gaussianWeightsSigma10": [float(w) for w in weights],
        "specVectors": spec_cases,
        "smoothed": smooth,
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "threshold_cases.json")
    with open(path, "w") as fh:
        fh.write(dumps(out))
    print(path, os.path.getsize(path), "bytes;", len(cases), "cases; spec", spec_cases)


if __name__ == "__main__":
    main()
