#!/usr/bin/env python3
"""TorchScript fixtures for dni-spark's general path (any architecture): two scripted denoisers with batch norm
(parameters and running statistics differ), the output of the first and of their interpolation at alpha 0.3
(every parameter and buffer; num_batches_tracked from the model with the larger coefficient), computed by
PyTorch. Needs Debian's python3-torch:  /usr/bin/python3 src/test/python/make_torchscript_fixtures.py
"""
import os

import numpy as np
import torch
import torch.nn as nn

from fixture_common import OUT, astronaut_crop


class ScriptedDenoiser(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.mid = nn.Conv2d(8, 8, 3, padding=1)
        self.tail = nn.Conv2d(8, 3, 3, padding=1)

    def forward(self, x):
        h = torch.relu(self.bn(self.head(x)))
        h = torch.relu(self.mid(h))
        return x - self.tail(h)


def randomized(seed):
    torch.manual_seed(seed)
    net = ScriptedDenoiser()
    for name, t in net.state_dict().items():
        if name.endswith("running_var"):
            t.copy_(torch.rand_like(t) + 0.5)
        elif name.endswith("num_batches_tracked"):
            t.fill_(500 + seed)
        else:
            t.copy_(torch.randn_like(t) * 0.15)
    return net.eval()


def main():
    rgb = astronaut_crop()
    x = torch.from_numpy(np.ascontiguousarray(rgb.transpose(2, 0, 1)[None])).float()
    a, b = randomized(1), randomized(2)
    torch.jit.script(a).save(os.path.join(OUT, "ts_a.pt"))
    torch.jit.script(b).save(os.path.join(OUT, "ts_b.pt"))
    with torch.no_grad():
        a(x)[0].numpy().astype("<f4").tofile(os.path.join(OUT, "ts_a_astronaut.f32"))
        b(x)[0].numpy().astype("<f4").tofile(os.path.join(OUT, "ts_b_astronaut.f32"))
        mix = ScriptedDenoiser().eval()
        state = {k: ((0.7 * v.double() + 0.3 * b.state_dict()[k].double()).float() if v.is_floating_point() else v)
                 for k, v in a.state_dict().items()}
        mix.load_state_dict(state)
        mix(x)[0].numpy().astype("<f4").tofile(os.path.join(OUT, "ts_mix0.3_astronaut.f32"))
    print("ok", sorted(f for f in os.listdir(OUT) if f.startswith("ts_")))


if __name__ == "__main__":
    main()
