#!/usr/bin/python3
"""Safetensors interop with numpy alone, for typegrad's tests.

    safetensors_interop.py check-and-write FOLDER

Reads FOLDER/from_typegrad_f32.safetensors and from_typegrad_f64.safetensors,
which tests/io/interop.cpp wrote, with the reader typegrad ships for users
(scripts/safetensors_numpy.py), and requires every tensor to equal, bit for
bit, the values defined by expected() below (interop.cpp computes the same
formula). The reader must also refuse a truncated copy with an error that
names the file. Then writes FOLDER/from_python_f32.safetensors and
from_python_f64.safetensors with those values, by this script's own writer,
for interop.cpp to load and check bit for bit. The reader and writer follow
the format: u64 little-endian header length, a JSON header, little-endian
row-major data; the header is padded with spaces to 8 bytes.
"""
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from safetensors_numpy import load  # noqa: E402

SHAPES = {"W": (3, 4), "b": (4,), "s": ()}
DTYPES = {"F32": "<f4", "F64": "<f8"}  # for the writer


def expected(name, dtype):
    """((37 k + 11 len(name)) mod 101 - 50) / 7 for element k, then special
    values in the first elements of W: -0, the smallest subnormal, a large
    number; each rounded once from float64 to the tensor's type."""
    shape = SHAPES[name]
    count = int(np.prod(shape)) if shape else 1
    values = np.array([((37 * k + 11 * len(name)) % 101 - 50) / 7.0 for k in range(count)], dtype=np.float64)
    out = values.astype(np.dtype(DTYPES[dtype]))
    if name == "W":
        info = np.finfo(out.dtype)
        out[0] = -0.0
        out[1] = info.smallest_subnormal
        out[2] = info.max / 3
    return out.reshape(shape)


def write(path, tensors, dtype, metadata):
    header, chunks, offset = {}, [], 0
    for name, array in tensors.items():
        raw = np.ascontiguousarray(array, dtype=np.dtype(DTYPES[dtype])).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    header["__metadata__"] = metadata
    text = json.dumps(header).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def same_bits(a, b):
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def main():
    if len(sys.argv) != 3 or sys.argv[1] != "check-and-write":
        sys.exit(__doc__)
    folder = sys.argv[2]
    failures = 0
    for dtype in ("F32", "F64"):
        path = f"{folder}/from_typegrad_{dtype.lower()}.safetensors"
        tensors, metadata = load(path)
        with open(path, "rb") as f:
            blob = f.read()
        truncated = f"{folder}/truncated_{dtype.lower()}.safetensors"
        with open(truncated, "wb") as f:
            f.write(blob[:-3])
        try:
            load(truncated)
            print(f"{dtype}: the reader accepted a truncated file")
            failures += 1
        except ValueError as e:
            if truncated not in str(e) or "data_offsets" not in str(e):
                print(f"{dtype}: the reader's error does not name the file and the field: {e}")
                failures += 1
        if sorted(tensors) != sorted(SHAPES):
            print(f"{dtype}: tensors {sorted(tensors)}, expected {sorted(SHAPES)}")
            failures += 1
        for name in SHAPES:
            if name in tensors and not same_bits(tensors[name], expected(name, dtype)):
                print(f"{dtype} {name}: {tensors[name]!r} differs from {expected(name, dtype)!r}")
                failures += 1
        if metadata.get("written_by") != "typegrad":
            print(f"{dtype}: metadata {metadata!r}")
            failures += 1
        write(f"{folder}/from_python_{dtype.lower()}.safetensors",
              {name: expected(name, dtype) for name in ("s", "b", "W")}, dtype, {"written_by": "numpy"})
    print(f"python read typegrad's files: {failures} mismatches")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
