#!/usr/bin/env python3
"""Reference outputs of DnCNN (KAIR's key names: model.0 conv + ReLU, then conv + BatchNorm + ReLU blocks, a last
conv; output = input - predicted noise) for dni-spark's built-in architecture tests. Batch norm as KAIR builds it
(eps 1e-4), evaluated with its running statistics. Needs Debian's python3-torch:

    /usr/bin/python3 src/test/python/make_dncnn_fixtures.py

Writes src/test/resources/fixtures/dncnn_*: a reduced-depth pair with random running statistics (.pth), and the
outputs (float32 LE, CHW, 3 channels) of the first model and of the pair interpolated at alpha 0.25, interpolating
every parameter and running statistic (num_batches_tracked from the model with the larger coefficient).
"""
import collections
import os

import numpy as np
import torch
import torch.nn as nn

from fixture_common import OUT, astronaut_crop, run


def dncnn(channels, features, depth, bn=True):
    layers = [nn.Conv2d(channels, features, 3, 1, 1, bias=True), nn.ReLU(inplace=True)]
    for _ in range(depth - 2):
        layers += [nn.Conv2d(features, features, 3, 1, 1, bias=True)]
        layers += [nn.BatchNorm2d(features, momentum=0.9, eps=1e-4)] if bn else []
        layers += [nn.ReLU(inplace=True)]
    layers.append(nn.Conv2d(features, channels, 3, 1, 1, bias=True))
    return nn.Sequential(*layers)


class DnCNN(nn.Module):
    def __init__(self, channels, features, depth, bn=True):
        super().__init__()
        self.model = dncnn(channels, features, depth, bn)

    def forward(self, x):
        return x - self.model(x)


def randomized(seed):
    torch.manual_seed(seed)
    net = DnCNN(3, 8, 5)
    for name, t in net.state_dict().items():
        if name.endswith("running_var"):
            t.copy_(torch.rand_like(t) + 0.5)
        elif name.endswith("running_mean"):
            t.copy_(torch.randn_like(t) * 0.1)
        elif name.endswith("num_batches_tracked"):
            t.fill_(1000 + seed)
        else:
            t.copy_(torch.randn_like(t) * 0.15)
    return net.eval()


def main():
    rgb = astronaut_crop()
    a, b = randomized(1), randomized(2)
    torch.save(collections.OrderedDict(a.state_dict()), os.path.join(OUT, "dncnn_small_a.pth"))
    torch.save(collections.OrderedDict(b.state_dict()), os.path.join(OUT, "dncnn_small_b.pth"))
    run(a, rgb).astype("<f4").tofile(os.path.join(OUT, "dncnn_small_a_astronaut.f32"))
    run(b, rgb).astype("<f4").tofile(os.path.join(OUT, "dncnn_small_b_astronaut.f32"))
    alpha = 0.25
    mix = DnCNN(3, 8, 5).eval()
    state = {}
    for k, v in a.state_dict().items():
        if v.is_floating_point():
            state[k] = ((1 - alpha) * v.double() + alpha * b.state_dict()[k].double()).float()
        else:
            state[k] = v.clone()  # the larger coefficient (0.75) belongs to a
    mix.load_state_dict(state)
    run(mix, rgb).astype("<f4").tofile(os.path.join(OUT, "dncnn_small_mix0.25_astronaut.f32"))
    # KAIR's released layout: 17 layers, no batch norm (act_mode 'R'), greyscale.
    torch.manual_seed(5)
    gray = DnCNN(1, 8, 17, bn=False).eval()
    for p in gray.parameters():
        p.data.normal_(0, 0.1)
    torch.save(collections.OrderedDict(gray.state_dict()), os.path.join(OUT, "dncnn17_gray_nobn.pth"))
    x = torch.from_numpy(np.ascontiguousarray(rgb.transpose(2, 0, 1)[None])).float().mean(dim=1, keepdim=True)
    with torch.no_grad():
        gray(x)[0].repeat(3, 1, 1).numpy().astype("<f4").tofile(os.path.join(OUT, "dncnn17_gray_astronaut.f32"))
    print("ok", sorted(f for f in os.listdir(OUT) if f.startswith("dncnn")))


if __name__ == "__main__":
    main()
