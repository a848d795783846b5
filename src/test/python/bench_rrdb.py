#!/usr/bin/env python3
"""The PyTorch side of jobs/bench-throughput.sh for RRDBNet x4 (6 blocks, 64 features, 32 growth channels: the size
of Real-ESRGAN's anime model), with the architecture of make_rrdb_fixtures.py. Needs Debian's python3-torch.

    bench_rrdb.py write OUTDIR                     # two seeded random models: OUTDIR/rrdb6_a.pth, rrdb6_b.pth
    bench_rrdb.py eager OUTDIR IMAGES ALPHAS       # the eager loop over the same inputs the sweep gets

The eager loop builds each alpha's interpolated model once, then runs every image through it under torch.no_grad()
with one torch thread per core (THREADS overrides), and prints inferences per second.
"""
import collections
import glob
import os
import sys
import time

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_rrdb_fixtures import RRDBNet  # noqa: E402


def model(seed):
    torch.manual_seed(seed)
    net = RRDBNet(4, 64, 6, 32)
    for p in net.parameters():
        p.data.normal_(0, 0.02)
    return net.eval()


def main():
    if sys.argv[1] == "write":
        for name, seed in (("rrdb6_a.pth", 1), ("rrdb6_b.pth", 2)):
            torch.save(collections.OrderedDict(model(seed).state_dict()), os.path.join(sys.argv[2], name))
        return
    out, images, alphas = sys.argv[2], sys.argv[3], [float(a) for a in sys.argv[4].split(",")]
    a = torch.load(os.path.join(out, "rrdb6_a.pth"))
    b = torch.load(os.path.join(out, "rrdb6_b.pth"))
    # the sweep's inputs: 4x bicubic down-scales, written by the benchmark as PNGs
    xs = [torch.from_numpy(np.asarray(Image.open(f).convert("RGB"), dtype=np.float32).transpose(2, 0, 1)[None] / 255.0)
          for f in sorted(glob.glob(os.path.join(images, "*.png")))]
    torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count())))
    net = RRDBNet(4, 64, 6, 32).eval()
    with torch.no_grad():
        net.load_state_dict(a)
        net(xs[0])  # warm-up
        start = time.perf_counter()
        n = 0
        for alpha in alphas:
            net.load_state_dict({k: (1 - alpha) * v + alpha * b[k] for k, v in a.items()})
            for x in xs:
                net(x)
                n += 1
        seconds = time.perf_counter() - start
    print(f"pytorch {torch.__version__} eager loop: {n} inferences in {seconds:.2f} s: {n / seconds:.3f} inferences/s "
          f"({torch.get_num_threads()} threads, {xs[0].shape[3]}x{xs[0].shape[2]} inputs, "
          f"{flops(net, xs[0]) / 1e9:.3f} GFLOP per inference)")


def flops(net, x):
    """Multiply-adds x 2 of the convolutions of one forward pass on x (counted after the timed loop)."""
    total = [0]

    def conv(m, inp, out):
        total[0] += 2 * out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    hooks = [m.register_forward_hook(conv) for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    with torch.no_grad():
        net(x)
    for h in hooks:
        h.remove()
    return total[0]


if __name__ == "__main__":
    main()
