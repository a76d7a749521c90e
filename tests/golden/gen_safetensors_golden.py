#!/usr/bin/python3
"""Writes the safetensors fixtures under tests/golden/safetensors/ (committed; rerun to refresh).

The files are written by hand with json/struct/numpy, following the format specification and the
reference writer's layout (tensors sorted by descending dtype alignment then name, compact JSON
with "__metadata__" first, header padded with spaces to a multiple of 8), so that they come from
an implementation independent of nabla's. expected.json holds the values numpy reads back,
converted to float64/int64 the way nabla documents (F16/BF16 -> float32, small ints -> int64).

    /usr/bin/python3 tests/golden/gen_safetensors_golden.py
"""
import json
import os
import struct

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "safetensors")
RANK = {"BOOL": 0, "U8": 1, "I8": 2, "I16": 5, "U16": 6, "F16": 7, "BF16": 8, "I32": 9, "U32": 10,
        "F32": 11, "F64": 12, "I64": 13, "U64": 14}


def reference_layout(tensors, metadata=None):
    """tensors: {name: (dtype name, shape, little-endian bytes)} -> file bytes."""
    names = sorted(tensors, key=lambda k: (-RANK[tensors[k][0]], k.encode("utf-8")))
    header = {}
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    offset, body = 0, b""
    for name in names:
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        body += raw
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + body


def arr(values, npdtype, shape=None):
    a = np.array(values, dtype=npdtype)
    return a.reshape(shape) if shape is not None else a


def finite_json(x):
    """Strict JSON has no inf/nan: spell them as the strings "inf", "-inf", "nan"."""
    if isinstance(x, float) and not np.isfinite(x):
        return "nan" if np.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, dict):
        return {k: finite_json(v) for k, v in x.items()}
    if isinstance(x, list):
        return [finite_json(v) for v in x]
    return x


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(HERE, exist_ok=True)
    expected = {}

    # basic: every dtype nabla writes, a 0-d and an empty tensor, non-ASCII metadata.
    basic = {
        "weight": ("F32", arr([[1.5, -2.25, 3.0e-8], [0.0, -0.0, 1e30]], "<f4")),
        "bias": ("F32", arr([0.5, 0.25, -0.125], "<f4")),
        "double": ("F64", arr([3.141592653589793, -1e-300], "<f8")),
        "steps": ("I64", arr([-9223372036854775808, 9223372036854775807], "<i8")),
        "mask": ("BOOL", arr([True, False, True], "|b1")),
        "scalar": ("F32", np.array(42.0, dtype="<f4")),
        "empty": ("F32", np.zeros((0, 3), dtype="<f4")),
    }
    meta = {"format": "pt", "note": "na\u00efve \u00fcn\u00efcode \u2713"}
    write("basic.safetensors",
          reference_layout({k: (d, a.shape, a.tobytes()) for k, (d, a) in basic.items()}, meta))
    expected["basic"] = {
        "metadata": meta,
        "tensors": {k: {"dtype": d, "shape": list(a.shape), "values": a.reshape(-1).tolist()}
                    for k, (d, a) in basic.items()},
    }

    # convert: dtypes nabla reads but does not write.
    f16 = arr([1.0, -2.5, 2.0 ** -14, 2.0 ** -24, -(2.0 ** -20), 65504.0, np.inf, -0.0], "<f2")
    bf16_f32 = arr([1.0, -3.140625, 2.0 ** 100, 2.0 ** -130, -np.inf], "<f4")
    bf16_bits = (bf16_f32.view("<u4") >> 16).astype("<u2")
    assert np.array_equal((bf16_bits.astype("<u4") << 16).view("<f4"), bf16_f32)
    ints = {
        "i32": ("I32", arr([-2147483648, 0, 2147483647], "<i4")),
        "u8": ("U8", arr([[0, 1], [128, 255]], "|u1")),
        "i8": ("I8", arr([-128, 0, 127], "|i1")),
        "i16": ("I16", arr([-32768, 32767], "<i2")),
        "u16": ("U16", arr([0, 65535], "<u2")),
        "u32": ("U32", arr([0, 4294967295], "<u4")),
        "u64": ("U64", arr([0, 9223372036854775807], "<u8")),
    }
    convert = {"f16": ("F16", f16.shape, f16.tobytes()), "bf16": ("BF16", bf16_bits.shape, bf16_bits.tobytes())}
    convert.update({k: (d, a.shape, a.tobytes()) for k, (d, a) in ints.items()})
    write("convert.safetensors", reference_layout(convert))
    expected["convert"] = {"metadata": None, "tensors": {
        "f16": {"dtype": "F16", "shape": [8], "values": f16.astype(np.float32).astype(float).tolist()},
        "bf16": {"dtype": "BF16", "shape": [5], "values": bf16_f32.astype(float).tolist()},
    }}
    for k, (d, a) in ints.items():
        expected["convert"]["tensors"][k] = {"dtype": d, "shape": list(a.shape), "values": a.reshape(-1).tolist()}

    # any_order: legal but unlike the reference writer: keys out of offset order, fields
    # reordered, "__metadata__" last, pretty-printed with newlines, no padding.
    a = arr([7], "<i8")
    b = arr([0.5, -1.5], "<f4")
    c = arr([[2.0 ** 0.5]], "<f8")
    header = ("{\n"
              '  "c": {"data_offsets": [16, 24], "shape": [1, 1], "dtype": "F64"},\n'
              '  "b": {"shape": [2], "dtype": "F32", "data_offsets": [8, 16]},\n'
              '  "a": {"dtype": "I64", "data_offsets": [0, 8], "shape": [1]},\n'
              '  "__metadata__": {"z": "last", "a": "first"}\n'
              "}").encode("utf-8")
    if len(header) % 8 == 0:
        header += b"\n"  # keep it deliberately unaligned
    write("any_order.safetensors", struct.pack("<Q", len(header)) + header + a.tobytes() + b.tobytes() + c.tobytes())
    expected["any_order"] = {"metadata": {"z": "last", "a": "first"}, "tensors": {
        "a": {"dtype": "I64", "shape": [1], "values": a.tolist()},
        "b": {"dtype": "F32", "shape": [2], "values": b.astype(float).tolist()},
        "c": {"dtype": "F64", "shape": [1, 1], "values": c.reshape(-1).tolist()},
    }, "order": ["a", "b", "c"]}

    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(finite_json(expected), f, indent=1, allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
