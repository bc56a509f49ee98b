#!/usr/bin/env python3
"""Reads a safetensors file with numpy alone (no safetensors package) and checks its structure.

Usage: python3 scripts/check_safetensors.py FILE.safetensors
Prints the metadata and, per tensor, its shape, the float64 sum and the first values, so they can be
compared with what the Java side wrote. Exits non-zero (AssertionError) on any structural problem.
"""
import json, struct, sys
import numpy as np

raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
assert 8 + n <= len(raw) and n % 8 == 0, f"header length {n} (file {len(raw)} bytes)"
header = json.loads(raw[8:8 + n].decode("utf-8"))
data = raw[8 + n:]
print("metadata:", header.pop("__metadata__", {}))
end = 0
for name, t in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
    b, e = t["data_offsets"]
    assert t["dtype"] == "F32" and b == end and e - b == 4 * int(np.prod(t["shape"])), (name, t)
    a = np.frombuffer(data[b:e], dtype="<f4").reshape(t["shape"])
    print(f"{name}: shape {list(a.shape)} sum {a.astype(np.float64).sum()!r} first {a.ravel()[:3].tolist()}")
    end = e
assert end == len(data), f"tensors cover {end} of {len(data)} data bytes"
print("OK")
