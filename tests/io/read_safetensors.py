#!/usr/bin/python3
"""Independent safetensors reader used by tests/io/safetensors_test.cpp.

Uses only json, struct and numpy (no nabla code, no `safetensors` package), so a nabla writer bug
cannot hide behind a matching reader bug. It checks the file against the format specification and
against the reference writer's layout, then prints a JSON description on stdout:

  {"header_len": N, "metadata": {...} | null,
   "tensors": [{"name", "dtype", "shape", "data_offsets", "values": [row-major numbers]}, ...]}

Any violation prints the reason on stderr and exits with status 1.

    /usr/bin/python3 tests/io/read_safetensors.py model.safetensors > description.json
"""
import json
import struct
import sys

import numpy as np

DTYPES = {  # name -> (numpy little-endian dtype, reference writer's alignment rank)
    "BOOL": ("|b1", 0), "U8": ("|u1", 1), "I8": ("|i1", 2), "I16": ("<i2", 5), "U16": ("<u2", 6),
    "F16": ("<f2", 7), "BF16": ("<u2", 8), "I32": ("<i4", 9), "U32": ("<u4", 10),
    "F32": ("<f4", 11), "F64": ("<f8", 12), "I64": ("<i8", 13), "U64": ("<u8", 14),
}


def fail(msg):
    print("read_safetensors.py: " + msg, file=sys.stderr)
    sys.exit(1)


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        fail("duplicate key in header: %r" % keys)
    return dict(pairs)


def main(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        fail("file shorter than 8 bytes")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        fail("header length %d exceeds file" % n)
    raw = data[8:8 + n]
    # The reference writer pads the JSON with spaces to a multiple of 8 bytes.
    if n % 8 != 0:
        fail("header length %d is not a multiple of 8" % n)
    text = raw.decode("utf-8")
    stripped = text.rstrip(" ")
    if len(text) - len(stripped) >= 8:
        fail("more padding than needed")
    header = json.loads(stripped, object_pairs_hook=no_duplicates)
    # Compact JSON, "__metadata__" first, fields in the order dtype, shape, data_offsets.
    if json.dumps(header, separators=(",", ":"), ensure_ascii=False) != stripped:
        fail("header is not the reference writer's compact JSON")
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not all(isinstance(v, str) for v in metadata.values()):
        fail("metadata values must be strings")
    names = list(header.keys())
    for name in names:
        info = header[name]
        if list(info.keys()) != ["dtype", "shape", "data_offsets"]:
            fail("fields of %r: %r" % (name, list(info.keys())))
        if info["dtype"] not in DTYPES:
            fail("unknown dtype %r" % info["dtype"])
    # Order: descending dtype alignment, then name (byte order), as the reference writer sorts.
    expect = sorted(names, key=lambda k: (-DTYPES[header[k]["dtype"]][1], k.encode("utf-8")))
    if names != expect:
        fail("tensor order %r, reference writer order %r" % (names, expect))
    start = 8 + n
    offset = 0
    out = []
    for name in names:
        info = header[name]
        npdt = np.dtype(DTYPES[info["dtype"]][0])
        shape = info["shape"]
        if any((not isinstance(d, int)) or d < 0 for d in shape):
            fail("bad shape for %r" % name)
        b, e = info["data_offsets"]
        if b != offset:
            fail("tensor %r starts at %d, expected %d" % (name, b, offset))
        numel = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if e - b != numel * npdt.itemsize:
            fail("tensor %r byte count %d != %d" % (name, e - b, numel * npdt.itemsize))
        if (start + b) % npdt.itemsize != 0:
            fail("tensor %r data not aligned to its element size" % name)
        arr = np.frombuffer(data[start + b:start + e], dtype=npdt).reshape(shape)
        offset = e
        values = arr.reshape(-1)
        if info["dtype"] == "BOOL":
            values = [bool(v) for v in values]
        elif npdt.kind == "f":
            values = [float(v) for v in values]
        else:
            values = [int(v) for v in values]
        out.append({"name": name, "dtype": info["dtype"], "shape": shape, "data_offsets": [b, e],
                    "values": values})
    if start + offset != len(data):
        fail("file has %d bytes, the tensors end at %d" % (len(data), start + offset))
    json.dump({"header_len": n, "metadata": metadata, "tensors": out}, sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: read_safetensors.py FILE")
    main(sys.argv[1])
