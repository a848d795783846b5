"""What the make_*_fixtures.py scripts share: where fixtures go, the test crop, and running a network on it."""
import os

import numpy as np
import torch
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
OUT = os.path.join(ROOT, "src/test/resources/fixtures")


def astronaut_crop():
    """The 40x36 RGB test crop (written by make_srvgg_fixtures.py) as float32 HWC in [0, 1]."""
    return np.asarray(Image.open(os.path.join(OUT, "astronaut_40x36.png")).convert("RGB"), dtype=np.float32) / 255.0


def run(net, rgb):
    """The network's output (CHW float32) for one HWC image."""
    x = torch.from_numpy(np.ascontiguousarray(rgb.transpose(2, 0, 1)[None])).float()
    with torch.no_grad():
        return net(x)[0].numpy()
