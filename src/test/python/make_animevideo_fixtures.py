#!/usr/bin/env python3
"""Reference output of realesr-animevideov3-x2 (waifu2x@1.6.5 real-esrgan/models; PReLU, PixelShuffle, nearest and
bicubic Interp) for dni-spark's parity test, from the generic interpreter in ncnn_reference.py. Needs Debian's
python3-torch and the model cache:  /usr/bin/python3 src/test/python/make_animevideo_fixtures.py
"""
import os

import numpy as np
import torch
from PIL import Image

from ncnn_reference import forward, parse, weights

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CACHE = os.environ.get("DNI_MODEL_CACHE", os.path.expanduser("~/.cache/dni-spark/models"))
PREFIX = os.path.join(CACHE, "waifu2x-1.6.5/real-esrgan/models/realesr-animevideov3-x2")
OUT = os.path.join(ROOT, "src/test/resources/fixtures")


def main():
    layers = parse(PREFIX + ".param")
    w = weights(layers, PREFIX + ".bin")
    rgb = np.asarray(Image.open(os.path.join(OUT, "chelsea_32.png")).convert("RGB"), dtype=np.float64) / 255.0
    x = torch.from_numpy(np.ascontiguousarray(rgb.transpose(2, 0, 1)[None])).double()
    y = forward(layers, w, x)[0].float().numpy()
    assert y.shape == (3, 64, 64), y.shape
    y.astype("<f4").tofile(os.path.join(OUT, "animevideov3_x2_chelsea_32.f32"))
    print("ok", y.shape, float(y.mean()))


if __name__ == "__main__":
    main()
