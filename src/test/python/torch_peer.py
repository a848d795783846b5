#!/usr/bin/env python3
"""PyTorch as the independent peer of dni-spark's format tests (Debian's python3-torch; a test tool only).

  torch_peer.py digests FILE...                   per-tensor SHA-256 of what torch.load reads (unwrapped as
                                                  dni-spark does), as JSON {file: {name: hex}}
  torch_peer.py roundtrip ORIGINAL OUT.pth OUT.safetensors
                                                  OUT.pth (loaded with weights_only=True) and OUT.safetensors
                                                  hold ORIGINAL's tensors bit for bit
  torch_peer.py interp A B ALPHA OUT.pth          OUT.pth equals (1 - ALPHA) * A + ALPHA * B computed by PyTorch
  torch_peer.py interp-ts A.pt B.pt ALPHA OUT.pt  the TorchScript module OUT.pt runs, and its parameters and
                                                  buffers equal the interpolation of A's and B's
Exits 0 and prints OK, or prints the difference and exits 1.
"""
import hashlib
import json
import struct
import sys

import torch

WRAPPERS = ["params_ema", "params", "state_dict", "model"]
ST = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64, "I32": torch.int32,
      "U8": torch.uint8}


def unwrap(obj):
    for w in WRAPPERS:
        if isinstance(obj, dict) and isinstance(obj.get(w), dict):
            obj = obj[w]
            break
    keys = list(obj.keys())
    if keys and all(k.startswith("module.") for k in keys):
        obj = {k[len("module."):]: v for k, v in obj.items()}
    return obj


def raw(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def load(path, weights_only=False):
    return unwrap(torch.load(path, map_location="cpu", weights_only=weights_only))


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        b, e = v["data_offsets"]
        buf = bytearray(data[8 + n + b:8 + n + e])
        t = torch.frombuffer(buf, dtype=ST[v["dtype"]]) if buf else torch.empty(0, dtype=ST[v["dtype"]])
        out[k] = t.reshape(v["shape"])
    return out


def same(a, b, label):
    problems = []
    if list(a.keys()) != list(b.keys()):
        problems.append("%s: keys differ: %s vs %s" % (label, list(a.keys())[:5], list(b.keys())[:5]))
    for k in a:
        if k not in b:
            continue
        if a[k].dtype != b[k].dtype or a[k].shape != b[k].shape or raw(a[k]) != raw(b[k]):
            problems.append("%s: tensor %s differs (%s %s vs %s %s)" % (label, k, a[k].dtype, tuple(a[k].shape),
                                                                         b[k].dtype, tuple(b[k].shape)))
    return problems


def main(argv):
    cmd = argv[1]
    if cmd == "digests":
        print(json.dumps({f: {k: hashlib.sha256(raw(v)).hexdigest() for k, v in load(f).items()}
                          for f in argv[2:]}))
        return 0
    if cmd == "roundtrip":
        original = load(argv[2])
        problems = same(original, load(argv[3], weights_only=True), "pth")
        problems += same(original, read_safetensors(argv[4]), "safetensors")
    elif cmd == "interp":
        a, b, alpha = load(argv[2]), load(argv[3]), float(argv[4])
        expected = {}
        for k in a:
            if a[k].is_floating_point():
                expected[k] = ((1 - alpha) * a[k].double() + alpha * b[k].double()).to(a[k].dtype)
            else:
                expected[k] = a[k] if (1 - alpha) >= alpha else b[k]
        problems = same(expected, load(argv[5], weights_only=True), "interpolated")
    elif cmd == "interp-ts":
        # A TorchScript module written by dni-spark: torch.jit.load runs it; its state (parameters and buffers)
        # equals the interpolation of the two sources' states.
        a = torch.jit.load(argv[2]).state_dict()
        b = torch.jit.load(argv[3]).state_dict()
        alpha = float(argv[4])
        module = torch.jit.load(argv[5])
        module(torch.rand(1, 3, 8, 8))
        expected = {k: ((1 - alpha) * v.double() + alpha * b[k].double()).to(v.dtype) if v.is_floating_point()
                    else (v if (1 - alpha) >= alpha else b[k]) for k, v in a.items()}
        problems = same(expected, dict(module.state_dict()), "torchscript")
    else:
        print("unknown command " + cmd)
        return 2
    if problems:
        print("\n".join(problems))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
