"""Makes fixtures/cifar-100-python/train_py3_proto2: a CIFAR-100 python-version batch (2 images, same
pixel and label rule as make_cifar_fixtures.py) re-saved by Python 3 at protocol 2, as
`pickle.dump(batch, f, protocol=2)` does after loading the original with encoding='latin1'. Python 3
writes every `bytes` object at protocol 2 as `_codecs.encode(<latin-1 str>, 'latin1')`, so the file
references the global `_codecs.encode` (issue 14 row 19).

Pixel value of image i, byte k (CHW): (i * 37 + k * 11) % 256.  fine label of image i: (i * 7) % 100.

Run: python3 packages/datasets/scripts/make_cifar_proto2_fixture.py   (made with Python 3.11, numpy 2.4.6)
"""

import os
import pickle

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "cifar-100-python", "train_py3_proto2")


def main():
    idx = np.arange(0, 2)
    data = ((idx[:, None] * 37 + np.arange(3072)[None, :] * 11) % 256).astype(np.uint8)
    batch = {
        "filenames": [f"img_{i}.png".encode() for i in idx],
        "batch_label": b"training batch 1 of 1",
        "fine_labels": [int(i * 7 % 100) for i in idx],
        "coarse_labels": [int(i % 20) for i in idx],
        "data": data,
    }
    with open(OUT, "wb") as f:
        pickle.dump(batch, f, protocol=2)


if __name__ == "__main__":
    main()
