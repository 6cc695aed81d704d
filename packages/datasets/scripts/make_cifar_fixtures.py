"""Makes tiny CIFAR-100 python-version pickles under fixtures/cifar-100-python/ (train: 6 images,
test: 4 images, meta with 100 fine / 20 coarse names) in the format of the original files: Python-2
style pickles (protocol 2, str and bytes written as SHORT_BINSTRING/BINSTRING) holding a numpy uint8
array built by numpy.core.multiarray._reconstruct. A second train file, train_py3, is written with
protocol 4 from Python 3 + numpy 2 (numpy._core.multiarray, BINUNICODE strings, bytes).

Pixel value of image i, byte k (CHW): (i * 37 + k * 11) % 256.  fine label of image i: (i * 7) % 100.

Run: python3 packages/datasets/scripts/make_cifar_fixtures.py   (made with numpy 2.4.6)
"""

import io
import os
import pickle
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "cifar-100-python")


class Py2Pickler(pickle._Pickler):
    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2str(self, obj):
        data = obj.encode("latin1") if isinstance(obj, str) else bytes(obj)
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[str] = save_py2str
    dispatch[bytes] = save_py2str


def dump_py2(obj, path):
    buf = io.BytesIO()
    Py2Pickler(buf, protocol=2).dump(obj)
    # the original files (numpy 1.x) name numpy.core.multiarray; GLOBAL is a text opcode
    data = buf.getvalue().replace(b"numpy._core.multiarray\n", b"numpy.core.multiarray\n")
    with open(path, "wb") as f:
        f.write(data)


def batch(start, n):
    idx = np.arange(start, start + n)
    data = ((idx[:, None] * 37 + np.arange(3072)[None, :] * 11) % 256).astype(np.uint8)
    return {
        "filenames": [f"img_{i}.png" for i in idx],
        "batch_label": "training batch 1 of 1",
        "fine_labels": [int(i * 7 % 100) for i in idx],
        "coarse_labels": [int(i % 20) for i in idx],
        "data": data,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    dump_py2(batch(0, 6), os.path.join(OUT, "train"))
    dump_py2(batch(6, 4), os.path.join(OUT, "test"))
    with open(os.path.join(OUT, "train_py3"), "wb") as f:
        pickle.dump(batch(0, 6), f, protocol=4)
    meta = {
        "fine_label_names": [f"fine_{i}" for i in range(100)],
        "coarse_label_names": [f"coarse_{i}" for i in range(20)],
    }
    dump_py2(meta, os.path.join(OUT, "meta"))
    # an evil pickle: calls os.system
    with open(os.path.join(OUT, "evil"), "wb") as f:
        f.write(b"\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03.")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
