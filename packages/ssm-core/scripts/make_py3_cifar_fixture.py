"""Issue 14 row 19: a CIFAR-100 python pickle re-saved by Python 3 at protocol 2.

Python 3 writes every `bytes` object at protocol 2 as `_codecs.encode(<latin-1 str>, 'latin1')`; a
CIFAR batch loaded with `encoding='bytes'` and saved again therefore holds bytes keys and the numpy
raw data through that call. Run with any Python 3 that has numpy:
    python3 packages/ssm-core/scripts/make_py3_cifar_fixture.py
Writes packages/ssm-core/fixtures/pickle/py3_resaved_cifar_p2.pkl (about 400 bytes).
"""
import os
import pickle

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'pickle')
os.makedirs(OUT, exist_ok=True)

# What pickle.load(open('cifar-100-python/train', 'rb'), encoding='bytes') gives, in miniature.
batch = {
    b'filenames': [b'bos_taurus_s_000507.png', b'stegosaurus_s_000125.png'],
    b'batch_label': b'training batch 1 of 1',
    b'fine_labels': [19, 29],
    b'coarse_labels': [11, 15],
    b'data': np.array([[0, 1, 2, 250, 254, 255], [7, 8, 9, 10, 11, 12]], dtype=np.uint8),
}
data = pickle.dumps(batch, protocol=2)
assert b'_codecs' in data and b'encode' in data, 'expected bytes written through _codecs.encode'
check = pickle.loads(data)
assert check[b'data'].tolist() == batch[b'data'].tolist() and check[b'fine_labels'] == [19, 29]
with open(os.path.join(OUT, 'py3_resaved_cifar_p2.pkl'), 'wb') as f:
    f.write(data)
print('wrote py3_resaved_cifar_p2.pkl', len(data), 'bytes')
