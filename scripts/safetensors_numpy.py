#!/usr/bin/python3
"""Read a typegrad checkpoint (safetensors) into numpy arrays, with numpy alone.

    from safetensors_numpy import load
    arrays, metadata = load("digits.safetensors")   # {"W1": ndarray, ...}, {"model": ...}

or, from a shell, list what a file holds:

    /usr/bin/python3 scripts/safetensors_numpy.py digits.safetensors

The format: a u64 little-endian header length, a JSON header naming each
tensor's dtype, shape and byte range, then little-endian row-major data.
typegrad writes F32 and F64. Debian 12's PyTorch 1.13 has no safetensors
reader of its own; torch.from_numpy(arrays["W1"]) takes the arrays from here.
A malformed file raises ValueError naming the file, the tensor and the field.
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I8": "i1", "U8": "u1", "I16": "<i2", "I32": "<i4", "I64": "<i8"}


def load(path):
    """({name: ndarray}, {metadata key: value}) of a safetensors file."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError(f"{path}: header length: the file has {len(blob)} bytes, fewer than 8")
    (n,) = struct.unpack("<Q", blob[:8])
    if 8 + n > len(blob):
        raise ValueError(f"{path}: header length: {n} bytes past the end of the file")
    try:
        header = json.loads(blob[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: header: not JSON ({e})") from None
    data = blob[8 + n:]
    arrays = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = entry.get("dtype")
        if dtype not in DTYPES:
            raise ValueError(f"{path}: tensor {name}: dtype: {dtype!r} is not one of {sorted(DTYPES)}")
        shape = entry.get("shape")
        begin, end = entry.get("data_offsets", (None, None))
        itemsize = np.dtype(DTYPES[dtype]).itemsize
        count = int(np.prod(shape)) if shape else 1
        if not (isinstance(begin, int) and isinstance(end, int) and 0 <= begin <= end <= len(data)):
            raise ValueError(f"{path}: tensor {name}: data_offsets: {[begin, end]} outside the {len(data)} data bytes")
        if end - begin != count * itemsize:
            raise ValueError(f"{path}: tensor {name}: data_offsets: {end - begin} bytes for shape {shape} of {dtype}")
        arrays[name] = np.frombuffer(data[begin:end], dtype=np.dtype(DTYPES[dtype])).reshape(shape)
    return arrays, header.get("__metadata__", {})


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    arrays, metadata = load(sys.argv[1])
    for key, value in metadata.items():
        print(f"metadata {key}: {value}")
    for name, array in arrays.items():
        print(f"{name}: {array.dtype} {list(array.shape)}")


if __name__ == "__main__":
    main()
