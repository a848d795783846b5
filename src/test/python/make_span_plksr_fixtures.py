#!/usr/bin/env python3
"""Reference fixtures for SPAN, RealPLKSR and PLKSR, made by spandrel's own network code (chaiNNer-org/spandrel at
revision b0c3eb2, libs/spandrel/spandrel/architectures/{SPAN,PLKSR}/__arch), not by a rewrite.

The upstream files are read from a git checkout of https://github.com/chaiNNer-org/spandrel (not copied into this
repository) into a temporary package tree and imported from there; the package __init__ files are left empty, so only
the networks (and spandrel.util, which they import for a decorator) are loaded. Needs Debian's python3-torch:

    /usr/bin/python3 src/test/python/make_span_plksr_fixtures.py /path/to/spandrel/.git

Writes src/test/resources/fixtures/{span,realplksr,plksr}_*: small random models in upstream's key layout (.pth),
their outputs (float32 LE, CHW) on the astronaut test crop, a "fine-tuned" copy of each pair's first model (the first
plus small noise), its output, and the output of the pair interpolated key by key (every floating tensor, buffers
included) at alpha 0.4, computed by loading the interpolated state dict into upstream's network.
"""
import importlib
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

from fixture_common import OUT, astronaut_crop, run

REV = "b0c3eb2"
LIB = "libs/spandrel/spandrel/"
FILES = ["util/__init__.py", "architectures/__arch_helpers/dysample.py", "architectures/SPAN/__arch/span.py",
         "architectures/PLKSR/__arch/PLKSR.py", "architectures/PLKSR/__arch/RealPLKSR.py"]


def checkout(git_dir, folder):
    for f in FILES:
        text = subprocess.run(["git", "--git-dir", git_dir, "show", REV + ":" + LIB + f], check=True,
                              capture_output=True).stdout
        path = os.path.join(folder, "spandrel", f)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(text)
    # empty package markers: the real ones import spandrel's loader, which these fixtures do not need
    for d, _, names in os.walk(os.path.join(folder, "spandrel")):
        if "__init__.py" not in names:
            open(os.path.join(d, "__init__.py"), "w").close()


def write(name, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(os.path.join(OUT, name))


def jitter(net, scale):
    """Every parameter and floating buffer moved by scale * its own standard deviation of noise: a fine-tune."""
    out = {}
    for k, v in net.state_dict().items():
        if v.is_floating_point() and v.numel() > 1:
            out[k] = v + scale * float(v.std()) * torch.randn_like(v)
        else:
            out[k] = v.clone()
    return out


def lerp(a, b, alpha):
    return {k: (1 - alpha) * v + alpha * b[k] if v.is_floating_point() else v for k, v in a.items()}


def pair(make, name, crop, alpha=0.4):
    """A model, its fine-tuned copy and their interpolation, each saved and run by upstream's network."""
    a = make().eval()
    b_state = jitter(a, 0.05)
    torch.save(a.state_dict(), os.path.join(OUT, name + "_a.pth"))
    torch.save(b_state, os.path.join(OUT, name + "_b.pth"))
    write(name + "_a_astronaut.f32", run(a, crop))
    b = make().eval()
    b.load_state_dict(b_state)
    write(name + "_b_astronaut.f32", run(b, crop))
    mix = make().eval()
    mix.load_state_dict(lerp(a.state_dict(), b_state, alpha))
    out = run(mix, crop)
    write(name + "_mix%s_astronaut.f32" % alpha, out)
    print(name, "output range", float(out.min()), float(out.max()))


def single(make, name, crop):
    net = make().eval()
    torch.save(net.state_dict(), os.path.join(OUT, name + ".pth"))
    out = run(net, crop)
    write(name + "_astronaut.f32", out)
    print(name, "output range", float(out.min()), float(out.max()))


def main():
    torch.manual_seed(20261205)
    crop = astronaut_crop()
    with tempfile.TemporaryDirectory() as tmp:
        checkout(sys.argv[1], tmp)
        sys.path.insert(0, tmp)
        span = importlib.import_module("spandrel.architectures.SPAN.__arch.span")
        real = importlib.import_module("spandrel.architectures.PLKSR.__arch.RealPLKSR")
        plk = importlib.import_module("spandrel.architectures.PLKSR.__arch.PLKSR")

        # SPAN: x4 with the mean normalisation (most published models), x2 without it (the no_norm buffer)
        pair(lambda: span.SPAN(num_in_ch=3, num_out_ch=3, feature_channels=8, upscale=4), "span_x4", crop)
        single(lambda: span.SPAN(num_in_ch=3, num_out_ch=3, feature_channels=8, upscale=2, norm=False),
               "span_x2_nonorm", crop)

        # RealPLKSR: group norm (whole-image statistics) at x2, layer norm without EA at x4
        pair(lambda: real.RealPLKSR(dim=16, n_blocks=2, upscaling_factor=2, kernel_size=17, split_ratio=0.25),
             "realplksr_x2", crop)
        single(lambda: real.RealPLKSR(dim=16, n_blocks=2, upscaling_factor=4, kernel_size=9, split_ratio=0.25,
                                      use_ea=False, layer_norm=True), "realplksr_ln_x4", crop)

        # PLKSR: each channel mixer
        pair(lambda: plk.PLKSR(dim=12, n_blocks=2, upscaling_factor=4, ccm_type="CCM", kernel_size=13,
                               split_ratio=0.25), "plksr_ccm_x4", crop)
        single(lambda: plk.PLKSR(dim=12, n_blocks=2, upscaling_factor=2, ccm_type="ICCM", kernel_size=17,
                                 split_ratio=0.25, use_ea=False), "plksr_iccm_x2", crop)
        single(lambda: plk.PLKSR(dim=12, n_blocks=1, upscaling_factor=3, ccm_type="DCCM", kernel_size=17,
                                 split_ratio=0.5), "plksr_dccm_x3", crop)


if __name__ == "__main__":
    main()
