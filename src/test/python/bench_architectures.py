#!/usr/bin/env python3
"""The PyTorch side of jobs/bench-architectures.sh: model pairs at published sizes, built by upstream code
(spandrel b0c3eb2 for SPAN, RealPLKSR, PLKSR, SwinIR, DAT, OmniSR, RRDBNet and SRVGGNetCompact; einops ccb89f2,
read from git checkouts like make_attention_fixtures.py does), and PyTorch's own eager loop over the same inputs dni-spark's loop gets.

    bench_architectures.py write OUTDIR SPANDREL_GIT EINOPS_GIT       # OUTDIR/<arch>_{a,b}.pth (+ span_{a,b}.onnx)
    bench_architectures.py eager ARCH OUTDIR INPUTS ALPHAS SPANDREL_GIT EINOPS_GIT
    bench_architectures.py flops ARCH SIZE SPANDREL_GIT EINOPS_GIT    # GFLOP of one forward at SIZE x SIZE
    bench_architectures.py matmul                                     # the machine's 2048^3 fp32 matrix product

FLOPs are those of the convolutions and linear layers a forward pass runs (2 per multiply-add, counted by forward
hooks on upstream's modules); attention's own matrix products and element-wise work are not counted, so the
attention networks' GFLOP/s are a lower bound.

Each pair is a seeded random model (upstream's own initialisation) and a copy with 5% noise. The eager loop builds
each alpha's interpolated model once, runs every input through it under torch.no_grad() with THREADS torch threads
(default: one per core), after one warm-up pass, and prints inferences per second.
"""
import glob
import importlib
import io
import os
import sys
import tempfile
import time

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_attention_fixtures as fx  # noqa: E402

# published configurations (spandrel's defaults or the authors' released models), scale x4 where they have one
CONFIGS = {
    "span": ("spandrel.architectures.SPAN.__arch.span", "SPAN",
             dict(num_in_ch=3, num_out_ch=3, feature_channels=48, upscale=4)),
    "realplksr": ("spandrel.architectures.PLKSR.__arch.RealPLKSR", "RealPLKSR",
                  dict(dim=64, n_blocks=28, upscaling_factor=4, kernel_size=17, split_ratio=0.25, layer_norm=True)),
    "plksr": ("spandrel.architectures.PLKSR.__arch.PLKSR", "PLKSR",
              dict(dim=64, n_blocks=28, upscaling_factor=4, ccm_type="DCCM", kernel_size=17, split_ratio=0.25)),
    "swinir": ("spandrel.architectures.SwinIR.__arch.SwinIR", "SwinIR",
               dict(img_size=64, embed_dim=60, depths=[6, 6, 6, 6], num_heads=[6, 6, 6, 6], window_size=8,
                    mlp_ratio=2.0, upscale=4, img_range=1.0, upsampler="pixelshuffledirect")),
    "dat": ("spandrel.architectures.DAT.__arch.DAT", "DAT",
            dict(img_size=64, embed_dim=60, split_size=[8, 32], depth=[18], num_heads=[6], expansion_factor=2.0,
                 upscale=4, upsampler="pixelshuffledirect", resi_connection="3conv")),
    "omnisr": ("spandrel.architectures.OmniSR.__arch.OmniSR", "OmniSR",
               dict(num_in_ch=3, num_out_ch=3, num_feat=64, block_num=1, pe=True, window_size=8, res_num=5,
                    up_scale=4, bias=True)),
    # the two built-in architectures before issue 25, at Real-ESRGAN's published sizes: the anime model's 6-block
    # RRDBNet (ESRGAN's original key layout, as spandrel writes it) and the general-purpose SRVGGNetCompact
    "rrdbnet": ("spandrel.architectures.ESRGAN.__arch.RRDB", "RRDBNet",
                dict(in_nc=3, out_nc=3, num_filters=64, num_blocks=6, scale=4)),
    "srvgg": ("spandrel.architectures.Compact.__arch.SRVGG", "SRVGGNetCompact",
              dict(num_in_ch=3, num_out_ch=3, num_feat=64, num_conv=32, upscale=4, act_type="prelu")),
}
FILES = fx.FILES + ["architectures/SPAN/__arch/span.py", "architectures/PLKSR/__arch/PLKSR.py",
                    "architectures/PLKSR/__arch/RealPLKSR.py", "architectures/__arch_helpers/dysample.py",
                    "architectures/ESRGAN/__arch/RRDB.py", "architectures/__arch_helpers/block.py",
                    "architectures/Compact/__arch/SRVGG.py"]


def network(arch):
    module, cls, kw = CONFIGS[arch]
    return getattr(importlib.import_module(module), cls)(**kw).eval()


def setup(tmp, spandrel_git, einops_git):
    fx.FILES[:] = sorted(set(FILES))
    fx.checkout(spandrel_git, einops_git, tmp)
    sys.path.insert(0, tmp)


def flops(arch, size):
    net = network(arch)
    total = [0]

    def conv(m, inp, out):
        total[0] += 2 * out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def linear(m, inp, out):
        total[0] += 2 * out.numel() * m.in_features

    for m in net.modules():
        if isinstance(m, torch.nn.Conv2d):
            m.register_forward_hook(conv)
        elif isinstance(m, torch.nn.Linear):
            m.register_forward_hook(linear)
    with torch.no_grad():
        net(torch.zeros(1, 3, size, size))
    print("%.3f" % (total[0] / 1e9))


def matmul():
    torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count())))
    a = torch.rand(2048, 2048)
    b = torch.rand(2048, 2048)
    torch.matmul(a, b)
    t = time.perf_counter()
    n = 5
    for _ in range(n):
        torch.matmul(a, b)
    s = (time.perf_counter() - t) / n
    print("%.1f" % (2 * 2048 ** 3 / s / 1e9))


def main():
    mode = sys.argv[1]
    if mode == "matmul":
        matmul()
        return
    with tempfile.TemporaryDirectory() as tmp:
        if mode == "flops":
            setup(tmp, sys.argv[4], sys.argv[5])
            flops(sys.argv[2], int(sys.argv[3]))
            return
        if mode == "write":
            out = sys.argv[2]
            setup(tmp, sys.argv[3], sys.argv[4])
            for i, arch in enumerate(CONFIGS):
                torch.manual_seed(100 + i)
                a = network(arch)
                b = fx.jitter(a.state_dict(), 0.05)
                torch.save(a.state_dict(), os.path.join(out, arch + "_a.pth"))
                torch.save(b, os.path.join(out, arch + "_b.pth"))
                if arch == "span":  # the same pair as ONNX graphs (fused convolutions, see make_onnx_fixtures.py)
                    for name, state in (("span_a.onnx", a.state_dict()), ("span_b.onnx", b)):
                        net = network(arch)
                        net.load_state_dict(state)
                        f = io.BytesIO()
                        torch.onnx.export(net, torch.zeros(1, 3, 64, 64), f, input_names=["input"],
                                          output_names=["output"], opset_version=17,
                                          dynamic_axes={"input": {2: "h", 3: "w"}, "output": {2: "h", 3: "w"}})
                        with open(os.path.join(out, name), "wb") as w:
                            w.write(f.getvalue())
            return
        arch, out, inputs = sys.argv[2], sys.argv[3], sys.argv[4]
        alphas = [float(x) for x in sys.argv[5].split(",")]
        setup(tmp, sys.argv[6], sys.argv[7])
        a = torch.load(os.path.join(out, arch + "_a.pth"))
        b = torch.load(os.path.join(out, arch + "_b.pth"))
        xs = [torch.from_numpy(np.asarray(Image.open(f).convert("RGB"), dtype=np.float32).transpose(2, 0, 1)[None]
                               / 255.0) for f in sorted(glob.glob(os.path.join(inputs, "*.png")))]
        torch.set_num_threads(int(os.environ.get("THREADS", os.cpu_count())))
        net = network(arch)
        with torch.no_grad():
            net.load_state_dict(a)
            net(xs[0])  # warm-up
            start = time.perf_counter()
            n = 0
            for alpha in alphas:
                net.load_state_dict(fx.lerp(a, b, alpha))
                for x in xs:
                    net(x)
                    n += 1
            seconds = time.perf_counter() - start
        print(f"pytorch {torch.__version__} eager loop: {n} inferences in {seconds:.2f} s: {n / seconds:.3f} "
              f"inferences/s ({torch.get_num_threads()} threads, {xs[0].shape[3]}x{xs[0].shape[2]} inputs)")


if __name__ == "__main__":
    main()
