"""A small generic ncnn interpreter on torch.nn.functional, independent of dni-spark's Java runtime: the reference
for its parity tests (Real-CUGAN, realesr-animevideov3). Test tool only (Debian's python3-torch)."""
import struct

import numpy as np
import torch
import torch.nn.functional as F


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
        elif typ == "PReLU":
            w[name + ".slope"] = raw(p[0])
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
            bias = torch.from_numpy(w[name + ".bias"]) if name + ".bias" in w else None
            y = act(F.conv2d(a[0], torch.from_numpy(w[name + ".weight"]), bias,
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
        elif typ == "PReLU":
            y = F.prelu(a[0], torch.from_numpy(w[name + ".slope"]))
        elif typ == "PixelShuffle":
            y = F.pixel_shuffle(a[0], p[0])
        elif typ == "Interp":
            mode = {1: "nearest", 3: "bicubic"}[p[0]]
            h, wd = a[0].shape[2], a[0].shape[3]
            size = (int(round(h * p[1])), int(round(wd * p[2])))
            y = F.interpolate(a[0], size=size, mode=mode, align_corners=False if mode == "bicubic" else None)
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


