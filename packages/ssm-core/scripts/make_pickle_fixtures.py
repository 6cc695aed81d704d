"""Tiny pickle fixtures for the safe unpickler tests (packages/ssm-core/src/weights/pickle).

Run with any Python 3 that has numpy:  python3 packages/ssm-core/scripts/make_pickle_fixtures.py
Writes packages/ssm-core/fixtures/pickle/*.pkl (a few hundred bytes each) .
"""
import os
import pickle
import struct
from collections import OrderedDict

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'pickle')
os.makedirs(OUT, exist_ok=True)


def write(name, data):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)


basic = {
    'a': 1, 'neg': -5, 'i2': 40000, 'i4': -100000, 'big': 2 ** 70, 'negbig': -(2 ** 65), 'f': 1.5,
    's': 'h\u00e9llo \u2603', 'b': b'\x00\xff\x10', 't': (1, 2, 3), 'l': [1, [2, 'x']], 'none': None,
    'true': True, 'false': False, 'od': OrderedDict([('x', 1), ('y', 2)]), 'empty': (), 'shared': None,
}
shared = [7, 8]
basic['shared'] = (shared, shared)  # memo reuse (BINGET)
for proto in (2, 3, 4):
    write(f'basic_p{proto}.pkl', pickle.dumps(basic, protocol=proto))

arrays = {
    'data': np.arange(24, dtype=np.uint8).reshape(2, 12),
    'labels': [3, 1],
    'f': np.array([1.5, -2.0, 0.25], dtype='<f4'),
    'i': np.array([-1, 2 ** 40], dtype='<i8'),
}
for proto in (2, 4):
    write(f'numpy_p{proto}.pkl', pickle.dumps(arrays, protocol=proto))


# A python-2 style CIFAR batch (cPickle protocol 2): str keys/data as BINSTRING/SHORT_BINSTRING.
def sbs(s):  # SHORT_BINSTRING
    return b'U' + bytes([len(s)]) + s


raw = bytes([0, 1, 2, 250, 254, 255])
py2 = b''.join([
    b'\x80\x02', b'}q\x00', b'(',
    sbs(b'data'), b'q\x01',
    b'cnumpy.core.multiarray\n_reconstruct\nq\x02', b'cnumpy\nndarray\nq\x03', b'K\x00\x85', sbs(b'b'), b'\x87R',
    b'q\x04', b'(', b'K\x01', b'K\x02K\x03\x86',
    b'cnumpy\ndtype\nq\x05', sbs(b'u1'), b'K\x00K\x01\x87Rq\x06',
    b'(K\x03', sbs(b'|'), b'NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb',
    b'\x89', b'T' + struct.pack('<i', len(raw)) + raw, b'tb',
    sbs(b'fine_labels'), b'q\x07', b']q\x08(K\x01K\x02e',
    sbs(b'batch_label'), b'q\x09', sbs(b'training batch 1 of 1'),
    b'u.',
])
check = pickle.loads(py2, encoding='latin1')
assert check['data'].tolist() == [[0, 1, 2], [250, 254, 255]] and check['fine_labels'] == [1, 2], check
write('py2_cifar_like.pkl', py2)


class Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned',))


write('evil_posix_system_p2.pkl', pickle.dumps({'x': Evil()}, protocol=2))
write('evil_os_system_p0glob.pkl', b'\x80\x02cos\nsystem\n(X\x0a\x00\x00\x00echo pwnedtR.')
write('evil_stack_global_p4.pkl', pickle.dumps([1, Evil()], protocol=4))

print('wrote', sorted(os.listdir(OUT)))
