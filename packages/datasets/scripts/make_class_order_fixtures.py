"""Makes fixtures/class_orders.json: numpy Generator(PCG64(seed)).shuffle(arange(n)) orders and raw
PCG64 streams, for the TypeScript port in src/rng/ and src/orders/.

Run: python3 packages/datasets/scripts/make_class_order_fixtures.py   (numpy >= 1.17; made with numpy 2.4.6,
re-checked with Debian's numpy 1.24.2: identical orders and integers)
"""

import json
import os

import numpy as np

SEEDS = [0, 1, 42, 2**32 + 5, 123456789, 2024, 2025, 2026]
SIZES = [1, 2, 10, 50, 100, 200, 345, 1000]


def order(n, seed):
    a = np.arange(n, dtype=np.int64)
    np.random.Generator(np.random.PCG64(seed)).shuffle(a)
    return a.tolist()


def streams(seed):
    bg = np.random.PCG64(seed)
    raw = [str(int(v)) for v in bg.random_raw(4)]
    g = np.random.Generator(np.random.PCG64(seed))
    u32 = g.integers(0, 2**32, size=5, dtype=np.uint32).tolist()
    g = np.random.Generator(np.random.PCG64(seed))
    doubles = [float(v) for v in g.random(5)]
    g = np.random.Generator(np.random.PCG64(seed))
    bounds = [2, 3, 7, 10, 100, 1000, 65537, 2**31 + 11, 2**32 - 1, 2**40 + 3]
    ints = [[b, int(g.integers(0, b))] for b in bounds for _ in range(3)]
    g = np.random.Generator(np.random.PCG64(seed))
    uniforms = [float(g.uniform(-2.5, 7.0)) for _ in range(3)]
    return {"raw64": raw, "uint32": u32, "doubles": doubles, "integers": ints, "uniform": uniforms}


def main():
    out = {
        "numpy": np.__version__,
        "orders": [
            {"seed": str(s), "n": n, "order": order(n, s)}
            for s in SEEDS
            for n in SIZES
            if not (n == 1000 and s not in (0, 2**32 + 5))
        ],
        "streams": [{"seed": str(s), **streams(s)} for s in SEEDS],
        "derived": [
            {"entropy": [2024, e, i], "doubles": [float(v) for v in np.random.default_rng([2024, e, i]).random(3)]}
            for e in (0, 3)
            for i in (0, 1, 49999)
        ],
    }
    path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "class_orders.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
