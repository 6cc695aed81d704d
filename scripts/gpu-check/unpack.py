"""Unpacks the GPU check's bundle (.gpu-check/bundle.tar.xz) with Python alone (no xz binary needed).

    python3 scripts/gpu-check/unpack.py .gpu-check/bundle.tar.xz /tmp/gpu-check
"""
import sys
import tarfile

src, dest = sys.argv[1], sys.argv[2]
with tarfile.open(src, 'r:xz') as tar:
    try:
        tar.extractall(dest, filter='tar')  # keeps the executable bits (Python >= 3.12 filters)
    except TypeError:
        tar.extractall(dest)
print(f'unpack.py: {src} -> {dest}', file=sys.stderr)
