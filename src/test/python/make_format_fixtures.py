#!/usr/bin/env python3
"""Regenerates the .pth fixtures of dni-spark's format tests with Debian's python3-torch (1.13.1):

    /usr/bin/python3 src/test/python/make_format_fixtures.py

Writes src/test/resources/fixtures/formats/: state dicts in torch.save's zip format (mixed dtypes, a non-contiguous
view, a storage offset, wrappers, a DataParallel prefix), their expected values as JSON, a hostile pickle that calls
os.system, and the interpolation (1 - alpha) * A + alpha * B computed by PyTorch.
"""
import collections
import json
import os

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
OUT = os.path.join(ROOT, "src/test/resources/fixtures/formats")
DTYPES = {torch.float32: "FLOAT32", torch.float16: "FLOAT16", torch.bfloat16: "BFLOAT16", torch.int64: "INT64",
          torch.int32: "INT32", torch.uint8: "UINT8"}


def expected(sd):
    return {k: {"dtype": DTYPES[v.dtype], "shape": list(v.shape),
                "values": v.contiguous().reshape(-1).double().tolist() if v.is_floating_point()
                else v.contiguous().reshape(-1).tolist()} for k, v in sd.items()}


def mixed(seed):
    g = torch.Generator().manual_seed(seed)
    base = torch.randn(3, 5, generator=g)
    long_base = torch.randn(10, generator=g)
    sd = collections.OrderedDict()
    sd["conv.weight"] = torch.randn(4, 3, 3, 3, generator=g)
    sd["conv.bias"] = torch.randn(4, generator=g)
    sd["bn.weight"] = torch.randn(4, generator=g).half()
    sd["bn.running_var"] = torch.rand(4, generator=g).bfloat16()
    sd["bn.num_batches_tracked"] = torch.tensor(1234 + seed)
    sd["transposed.weight"] = base.t()           # non-contiguous: strides (1, 5)
    sd["sliced.weight"] = long_base[2:8]         # storage offset 2
    sd["counts"] = torch.arange(6, dtype=torch.int32).reshape(2, 3)
    sd["mask"] = torch.tensor([0, 1, 255], dtype=torch.uint8)
    return sd


class Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/dni-spark-was-pwned",))


def main():
    os.makedirs(OUT, exist_ok=True)
    a, b = mixed(1), mixed(2)
    assert not a["transposed.weight"].is_contiguous()
    torch.save(a, os.path.join(OUT, "mixed_a.pth"))
    torch.save(b, os.path.join(OUT, "mixed_b.pth"))
    json.dump(expected(a), open(os.path.join(OUT, "mixed_a.json"), "w"))
    torch.save({"params": a, "params_ema": b}, os.path.join(OUT, "wrapped_ema.pth"))
    torch.save({"state_dict": collections.OrderedDict(("module." + k, v) for k, v in a.items()), "epoch": 7},
               os.path.join(OUT, "dataparallel.pth"))
    torch.save(Evil(), os.path.join(OUT, "evil_os_system.pth"))
    torch.save({"epoch": 3, "lr": 0.1}, os.path.join(OUT, "not_a_state_dict.pth"))
    alpha = 0.3
    interp = collections.OrderedDict()
    for k in a:
        if a[k].is_floating_point():
            interp[k] = ((1 - alpha) * a[k].double() + alpha * b[k].double()).to(a[k].dtype)
    json.dump(expected(interp), open(os.path.join(OUT, "interp_a_b_0.3.json"), "w"))
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)))


if __name__ == "__main__":
    main()
