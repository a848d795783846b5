#!/usr/bin/env python3
"""The PyTorch side of jobs/bench-throughput.sh for waifu2x upconv_7 (an ncnn pair): PyTorch's eager loop over the
same network inputs the sweep gets, the graph run by ncnn_reference.py (F.conv2d, F.leaky_relu,
F.conv_transpose2d: what an nn.Module of upconv_7 calls), in float32. Needs Debian's python3-torch.

    bench_upconv.py eager MODEL_A MODEL_B IMAGES ALPHAS PAD

MODEL_A/B: ncnn models without extension (.param, .bin). Each alpha's weights are interpolated once (in float64,
stored as float32, as dni-spark does), then every image runs through them under torch.no_grad() after a replicate
pad of PAD pixels per side (the context dni-spark's tiler adds, so both run the same sizes), with one torch thread
per core (THREADS overrides). Prints inferences per second.
"""
import glob
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ncnn_reference  # noqa: E402


def main():
    assert sys.argv[1] == "eager", sys.argv
    model_a, model_b, images = sys.argv[2], sys.argv[3], sys.argv[4]
    alphas = [float(a) for a in sys.argv[5].split(",")]
    pad = int(sys.argv[6])
    layers = ncnn_reference.parse(model_a + ".param")
    wa = ncnn_reference.weights(layers, model_a + ".bin")
    wb = ncnn_reference.weights(ncnn_reference.parse(model_b + ".param"), model_b + ".bin")
    xs = [torch.from_numpy(np.asarray(Image.open(f).convert("RGB"), dtype=np.float32).transpose(2, 0, 1)[None] / 255.0)
          for f in sorted(glob.glob(os.path.join(images, "*.png")))]
    xs = [F.pad(x, (pad, pad, pad, pad), mode="replicate") for x in xs]
    torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count())))

    def at(alpha):
        return {k: ((1 - alpha) * v + alpha * wb[k]).astype(np.float32) for k, v in wa.items()}

    with torch.no_grad():
        ncnn_reference.forward(layers, at(alphas[0]), xs[0])  # warm-up
        start = time.perf_counter()
        n = 0
        for alpha in alphas:
            w = at(alpha)
            for x in xs:
                ncnn_reference.forward(layers, w, x)
                n += 1
        seconds = time.perf_counter() - start
    print(f"pytorch {torch.__version__} eager loop: {n} inferences in {seconds:.2f} s: {n / seconds:.3f} inferences/s "
          f"({torch.get_num_threads()} threads, {xs[0].shape[3]}x{xs[0].shape[2]} padded inputs, "
          f"{flops(layers, wa, xs[0]) / 1e9:.3f} GFLOP per inference)")


def flops(layers, w, x):
    """Multiply-adds x 2 of the convolutions and transposed convolutions of one forward pass on x."""
    total = 0
    shapes = {}
    for typ, name, ins, outs, p in layers:
        if typ == "Input":
            shape = tuple(x.shape)
        elif typ in ("Convolution", "Deconvolution"):
            n, c, h, wd = shapes[ins[0]]
            k, s, pad = p[1], p.get(3, 1), p.get(4, 0)
            if typ == "Convolution":
                oh, ow = (h + 2 * pad - k) // s + 1, (wd + 2 * pad - k) // s + 1
                total += 2 * c * k * k * p[0] * oh * ow
            else:
                oh, ow = (h - 1) * s - 2 * pad + k, (wd - 1) * s - 2 * pad + k
                total += 2 * c * k * k * p[0] * h * wd
            shape = (n, p[0], oh, ow)
        else:
            shape = shapes[ins[0]]
        for o in outs:
            shapes[o] = shape
    return total


if __name__ == "__main__":
    main()
