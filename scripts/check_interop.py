#!/usr/bin/python3
"""Checks the files a Java test wrote for Python, with numpy alone (Debian python3-numpy).

    JAVA_HOME=... mvn -q test -Dtest=InteropFilesTest     # writes target/interop/
    /usr/bin/python3 scripts/check_interop.py target/interop

Loads X/codes/components/reconstruction .npy with numpy.load and model/model.safetensors by hand (8-byte
header length, JSON header, raw little-endian data), compares shapes, float64 sums and sampled values with
expectations.json, checks reconstruction == codes @ components and decoder.W == components.T, and reads
model/checkpoint.json. Prints one line per file and OK; exits non-zero (AssertionError) on any mismatch.
"""
import json, os, struct, sys
import numpy as np

d = sys.argv[1] if len(sys.argv) > 1 else "target/interop"
exp = json.load(open(os.path.join(d, "expectations.json")))


def check(name, a, e):
    assert list(a.shape) == e["shape"], (name, a.shape, e["shape"])
    s = float(a.astype(np.float64).sum())
    assert abs(s - e["sum"]) <= 1e-9 * (1 + abs(e["sum"])), (name, s, e["sum"])
    flat = a.ravel()
    for i, v in e["values_at_flat_index"].items():
        assert flat[int(i)] == np.float32(v), (name, i, flat[int(i)], v)   # bit-exact float32
    print(f"{name:32s} {str(a.dtype):8s} shape {list(a.shape)}  sum {s:+.6f}  sampled values exact")


arrays = {}
for f, e in exp["npy"].items():
    a = np.load(os.path.join(d, f))
    assert a.dtype == np.float32 and a.flags["C_CONTIGUOUS"], (f, a.dtype)
    check(f, a, e)
    arrays[f] = a
err = np.abs(arrays["reconstruction.npy"] - arrays["codes.npy"] @ arrays["components.npy"]).max()
assert err <= exp["reconstruction_is_codes_times_components"]["atol"], err
print(f"reconstruction.npy == codes @ components           max |diff| {err:.2e}")

raw = open(os.path.join(d, "model", "model.safetensors"), "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n])
meta = header.pop("__metadata__", {})
tensors = {}
for name, t in header.items():
    b, e = t["data_offsets"]
    assert t["dtype"] == "F32", (name, t["dtype"])
    tensors[name] = np.frombuffer(raw[8 + n + b:8 + n + e], dtype="<f4").reshape(t["shape"])
assert set(tensors) == set(exp["model.safetensors"]), (sorted(tensors), sorted(exp["model.safetensors"]))
for name, e in exp["model.safetensors"].items():
    check("model.safetensors:" + name, tensors[name], e)
assert np.array_equal(tensors["decoder.W"], arrays["components.npy"].T)
print(f"model.safetensors metadata {meta}; decoder.W == components.T exactly")

ck = json.load(open(os.path.join(d, "model", "checkpoint.json")))
want = exp["checkpoint.json"]
assert ck["format"] == want["format"] and ck["epoch"] == want["epoch"], ck
for k, v in want["hyperparameters"].items():
    assert ck["hyperparameters"][k] == v, (k, ck["hyperparameters"][k], v)
print(f"checkpoint.json: format {ck['format']} v{ck['format_version']}, epoch {ck['epoch']}, "
      f"{len(ck['hyperparameters'])} hyperparameters, files {sorted(ck['files'])}")
print("OK")
