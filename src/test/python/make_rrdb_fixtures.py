#!/usr/bin/env python3
"""Reference outputs of RRDBNet (ESRGAN, BasicSR's current key names) for dni-spark's built-in architecture tests.
The architecture is written out here in plain PyTorch, at small sizes. Needs Debian's python3-torch:

    /usr/bin/python3 src/test/python/make_rrdb_fixtures.py

Writes src/test/resources/fixtures/rrdb_*: random x4 and x2 models and a second x4 model (.pth), and outputs
(float32 LE, CHW) of the x4 and x2 models and of the x4 pair interpolated at alpha 0.7.
"""
import collections
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from fixture_common import OUT, astronaut_crop, run


class RDB(nn.Module):
    def __init__(self, nf, gc):
        super().__init__()
        self.conv1 = nn.Conv2d(nf, gc, 3, 1, 1)
        self.conv2 = nn.Conv2d(nf + gc, gc, 3, 1, 1)
        self.conv3 = nn.Conv2d(nf + 2 * gc, gc, 3, 1, 1)
        self.conv4 = nn.Conv2d(nf + 3 * gc, gc, 3, 1, 1)
        self.conv5 = nn.Conv2d(nf + 4 * gc, nf, 3, 1, 1)

    def forward(self, x):
        l = lambda t: F.leaky_relu(t, 0.2)
        x1 = l(self.conv1(x))
        x2 = l(self.conv2(torch.cat((x, x1), 1)))
        x3 = l(self.conv3(torch.cat((x, x1, x2), 1)))
        x4 = l(self.conv4(torch.cat((x, x1, x2, x3), 1)))
        x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x5 * 0.2 + x


class RRDB(nn.Module):
    def __init__(self, nf, gc):
        super().__init__()
        self.rdb1, self.rdb2, self.rdb3 = RDB(nf, gc), RDB(nf, gc), RDB(nf, gc)

    def forward(self, x):
        return self.rdb3(self.rdb2(self.rdb1(x))) * 0.2 + x


class RRDBNet(nn.Module):
    def __init__(self, scale, nf, nb, gc):
        super().__init__()
        self.scale = scale
        cin = 3 * (4 if scale == 2 else 16 if scale == 1 else 1)
        self.conv_first = nn.Conv2d(cin, nf, 3, 1, 1)
        self.body = nn.Sequential(*[RRDB(nf, gc) for _ in range(nb)])
        self.conv_body = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_hr = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_last = nn.Conv2d(nf, 3, 3, 1, 1)

    def forward(self, x):
        feat = F.pixel_unshuffle(x, 2) if self.scale == 2 else F.pixel_unshuffle(x, 4) if self.scale == 1 else x
        feat = self.conv_first(feat)
        feat = feat + self.conv_body(self.body(feat))
        l = lambda t: F.leaky_relu(t, 0.2)
        feat = l(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")))
        feat = l(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")))
        return self.conv_last(l(self.conv_hr(feat)))


def randomized(seed, scale):
    torch.manual_seed(seed)
    net = RRDBNet(scale, 8, 2, 4)
    for p in net.parameters():
        p.data.normal_(0, 0.1)
    return net.eval()


def main():
    rgb = astronaut_crop()
    rgb = rgb[:20, :24]  # keep the x4 output small
    a4, b4, a2 = randomized(1, 4), randomized(2, 4), randomized(3, 2)
    torch.save({"params_ema": collections.OrderedDict(a4.state_dict())}, os.path.join(OUT, "rrdb_x4_a.pth"))
    torch.save(collections.OrderedDict(b4.state_dict()), os.path.join(OUT, "rrdb_x4_b.pth"))
    torch.save(collections.OrderedDict(a2.state_dict()), os.path.join(OUT, "rrdb_x2.pth"))
    run(a4, rgb).astype("<f4").tofile(os.path.join(OUT, "rrdb_x4_a_astronaut20x24.f32"))
    run(b4, rgb).astype("<f4").tofile(os.path.join(OUT, "rrdb_x4_b_astronaut20x24.f32"))
    run(a2, rgb).astype("<f4").tofile(os.path.join(OUT, "rrdb_x2_astronaut20x24.f32"))
    mix = RRDBNet(4, 8, 2, 4).eval()
    mix.load_state_dict({k: (0.3 * v.double() + 0.7 * b4.state_dict()[k].double()).float()
                         for k, v in a4.state_dict().items()})
    run(mix, rgb).astype("<f4").tofile(os.path.join(OUT, "rrdb_x4_mix0.7_astronaut20x24.f32"))
    print("ok", sorted(f for f in os.listdir(OUT) if f.startswith("rrdb")))


if __name__ == "__main__":
    main()
