#!/usr/bin/env python3
"""Reference outputs of the SRCNN-style 3-layer network (the DNI paper's analysis network: conv1 9x9, conv2,
conv3 9x9, ReLU between, 'same' padding) and of MSRResNet (BasicSR keys; bilinear base added) for dni-spark's
built-in architecture tests. Needs Debian's python3-torch:

    /usr/bin/python3 src/test/python/make_srcnn_msrresnet_fixtures.py
"""
import collections
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from fixture_common import OUT, astronaut_crop, run


class SRCNN(nn.Module):
    def __init__(self, channels=3, f=16, k2=5):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, f, 9, padding=4)
        self.conv2 = nn.Conv2d(f, f // 2, k2, padding=k2 // 2)
        self.conv3 = nn.Conv2d(f // 2, channels, 9, padding=4)

    def forward(self, x):
        return self.conv3(F.relu(self.conv2(F.relu(self.conv1(x)))))


class MSRResNet(nn.Module):
    def __init__(self, nf=8, nb=2, upscale=4):
        super().__init__()
        self.upscale = upscale
        self.conv_first = nn.Conv2d(3, nf, 3, 1, 1)
        self.body = nn.ModuleList()
        for _ in range(nb):
            blk = nn.Module()
            blk.conv1 = nn.Conv2d(nf, nf, 3, 1, 1)
            blk.conv2 = nn.Conv2d(nf, nf, 3, 1, 1)
            self.body.append(blk)
        if upscale in (2, 3):
            self.upconv1 = nn.Conv2d(nf, nf * upscale * upscale, 3, 1, 1)
        else:
            self.upconv1 = nn.Conv2d(nf, nf * 4, 3, 1, 1)
            self.upconv2 = nn.Conv2d(nf, nf * 4, 3, 1, 1)
        self.conv_hr = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_last = nn.Conv2d(nf, 3, 3, 1, 1)

    def forward(self, x):
        l = lambda t: F.leaky_relu(t, 0.1)
        feat = l(self.conv_first(x))
        for blk in self.body:
            feat = feat + blk.conv2(F.relu(blk.conv1(feat)))
        if self.upscale == 4:
            feat = l(F.pixel_shuffle(self.upconv1(feat), 2))
            feat = l(F.pixel_shuffle(self.upconv2(feat), 2))
        else:
            feat = l(F.pixel_shuffle(self.upconv1(feat), self.upscale))
        out = self.conv_last(l(self.conv_hr(feat)))
        return out + F.interpolate(x, scale_factor=self.upscale, mode="bilinear", align_corners=False)


def randomized(net, seed):
    torch.manual_seed(seed)
    for p in net.parameters():
        p.data.normal_(0, 0.1)
    return net.eval()


def main():
    rgb = astronaut_crop()
    a, b = randomized(SRCNN(), 1), randomized(SRCNN(), 2)
    torch.save(collections.OrderedDict(a.state_dict()), os.path.join(OUT, "srcnn_a.pth"))
    torch.save(collections.OrderedDict(b.state_dict()), os.path.join(OUT, "srcnn_b.pth"))
    run(a, rgb).astype("<f4").tofile(os.path.join(OUT, "srcnn_a_astronaut.f32"))
    run(b, rgb).astype("<f4").tofile(os.path.join(OUT, "srcnn_b_astronaut.f32"))
    mix = SRCNN().eval()
    mix.load_state_dict({k: (0.5 * v.double() + 0.5 * b.state_dict()[k].double()).float()
                         for k, v in a.state_dict().items()})
    run(mix, rgb).astype("<f4").tofile(os.path.join(OUT, "srcnn_mix0.5_astronaut.f32"))
    small = rgb[:20, :24]
    for scale in (4, 2):
        m = randomized(MSRResNet(upscale=scale), 10 + scale)
        torch.save(collections.OrderedDict(m.state_dict()), os.path.join(OUT, "msrresnet_x%d.pth" % scale))
        run(m, small).astype("<f4").tofile(os.path.join(OUT, "msrresnet_x%d_astronaut20x24.f32" % scale))
    # A x4 pair: both endpoints and the midpoint.
    mb = randomized(MSRResNet(upscale=4), 99)
    torch.save(collections.OrderedDict(mb.state_dict()), os.path.join(OUT, "msrresnet_x4_b.pth"))
    run(mb, small).astype("<f4").tofile(os.path.join(OUT, "msrresnet_x4_b_astronaut20x24.f32"))
    ma = randomized(MSRResNet(upscale=4), 14)
    mm = MSRResNet(upscale=4).eval()
    mm.load_state_dict({k: (0.5 * v.double() + 0.5 * mb.state_dict()[k].double()).float()
                        for k, v in ma.state_dict().items()})
    run(mm, small).astype("<f4").tofile(os.path.join(OUT, "msrresnet_x4_mix0.5_astronaut20x24.f32"))
    print("ok")


if __name__ == "__main__":
    main()
