#!/usr/bin/env python3
"""Writes fixtures/tfevents/golden.tfevents: a tiny TensorBoard event file made from the TFRecord and
tensorflow.Event / Summary protobuf specs, independently of the TypeScript writer (bitwise CRC-32C,
hand-rolled protobuf). The bench test checks that TfEventsWriter produces the same bytes.

Run: python3 packages/bench/scripts/make_tfevents_golden.py
"""
import os
import struct


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(data: bytes) -> int:
    c = crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(field: int, wire: int) -> bytes:
    return varint((field << 3) | wire)


def ld(field: int, payload: bytes) -> bytes:
    return key(field, 2) + varint(len(payload)) + payload


def event(wall: float, step: int, version=None, scalars=None) -> bytes:
    out = key(1, 1) + struct.pack('<d', wall)
    if step:
        out += key(2, 0) + varint(step)
    if version is not None:
        out += ld(3, version.encode())
    if scalars is not None:
        summary = b''.join(
            ld(1, ld(1, tag.encode()) + key(2, 5) + struct.pack('<f', v)) for tag, v in scalars
        )
        out += ld(5, summary)
    return out


def record(data: bytes) -> bytes:
    length = struct.pack('<Q', len(data))
    return length + struct.pack('<I', masked(length)) + data + struct.pack('<I', masked(data))


EVENTS = [
    event(1700000000.5, 0, version='brain.Event:2'),
    event(1700000000.5, 1, scalars=[('train/loss', 0.6875), ('train/lr', 0.0002)]),
    event(1700000000.5, 300, scalars=[('eval/accuracy', 87.5), ('eval/accuracy_task_1', 90.25)]),
]

if __name__ == '__main__':
    assert crc32c(b'123456789') == 0xE3069283
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, '..', 'fixtures', 'tfevents', 'golden.tfevents')
    with open(path, 'wb') as f:
        for e in EVENTS:
            f.write(record(e))
    print(path, os.path.getsize(path), 'bytes')
