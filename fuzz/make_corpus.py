#!/usr/bin/python3
"""Writes the seed corpus of the fuzz targets (plain Python, no numpy):
valid inputs of every kind the targets take, and a few near misses, so that
fuzzing starts from the interesting parts of the formats.

    python3 fuzz/make_corpus.py fuzz/corpus
"""
import gzip
import json
import pathlib
import struct
import sys


def safetensors(tensors, metadata=None, header_length=None, pad=True):
    header, data = {}, b""
    for name, (dtype, shape, values) in tensors.items():
        fmt = "<" + ("f" if dtype == "F32" else "d") * len(values)
        raw = struct.pack(fmt, *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    n = len(text) if header_length is None else header_length
    return struct.pack("<Q", n) + text + data


def idx(type_code, dims, payload):
    return bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


def params(dtype):
    return {"W": (dtype, [3, 2], [0.5, -1, 2, 0, 1e-3, 7]), "b": (dtype, [2], [1, -1]), "s": (dtype, [], [2.5])}


def main():
    out = pathlib.Path(sys.argv[1])
    csv, st, ix = out / "csv", out / "safetensors", out / "idx"
    for folder in (csv, st, ix):
        folder.mkdir(parents=True, exist_ok=True)
    images = idx(0x08, [2, 2, 2], bytes([0, 255, 3, 4, 5, 6, 7, 8]))
    files = {
        csv / "good.csv": b"1,2,0\n3.5,-4,2\n0,0,1\n",
        csv / "crlf_spaces.csv": b" 1 , 2 ,0\r\n3,4, 1\r\n",
        csv / "bad_field.csv": b"1,2,0\n3,x4,1\n",
        csv / "short_row.csv": b"1,2,0\n3,4\n",
        csv / "bad_label.csv": b"1,2,7\n",
        csv / "exponents.csv": b"1e3,-2.5E-2,1\ninf,nan,0\n",
        st / "f32.safetensors": safetensors(params("F32")),
        st / "f64.safetensors": safetensors(params("F64"), {"note": "seed"}),
        st / "checkpoint.safetensors": safetensors(
            {**params("F32"),
             **{f"optimizer.{state}.{k}": v for state in ("first_moment", "second_moment") for k, v in params("F32").items()}},
            {"typegrad.optimizer": "adam", "typegrad.optimizer.steps": "3"}),
        st / "extra.safetensors": safetensors({**params("F32"), "extra": ("F32", [1], [0])}),
        st / "wrong_dtype.safetensors": safetensors({**params("F32"), "s": ("F64", [], [2.5])}),
        st / "unpadded.safetensors": safetensors(params("F32"), pad=False),
        st / "long_header.safetensors": safetensors(params("F32"), header_length=1 << 20),
        ix / "images.idx": images,
        ix / "images.idx.gz": gzip.compress(images, mtime=0),
        ix / "labels.idx": idx(0x08, [2], bytes([1, 0])),
        ix / "floats.idx": idx(0x0D, [1, 4], struct.pack(">4f", 1.5, -2, 0, 3)),
        ix / "doubles.idx": idx(0x0E, [2], struct.pack(">2d", 0.25, -1)),
        ix / "ints.idx": idx(0x0C, [1, 1], struct.pack(">i", -7)),
        ix / "truncated.idx.gz": gzip.compress(images, mtime=0)[:-9],
        ix / "huge_extents.idx": idx(0x08, [1 << 31, 1 << 31], b""),
    }
    for path, data in files.items():
        path.write_bytes(data)
    truncated = safetensors(params("F32"))
    (st / "truncated.safetensors").write_bytes(truncated[:-5])


if __name__ == "__main__":
    main()
