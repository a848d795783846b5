#!/usr/bin/env python3
"""Reference fixtures for ESRGAN's key layouts, made by ESRGAN's own code (xinntao/ESRGAN), not by a rewrite:

- the original layout (model.N), from architecture.py and block.py at revision 140595a ("add test codes"), the
  RRDB_Net that most published ESRGAN models were trained with, at x1, x2, x4, x8 and x16;
- BSRGAN's / the later layout (RRDB_trunk, trunk_conv, upconvK, HRconv), from RRDBNet_arch.py at revision d274b11
  ("update RRDBNet arch"; unchanged at 73e9b63), x4, with its weights renamed from an original-layout model by the
  same repository's transer_RRDB_models.py rule.

- ESRGAN+ (its dense blocks add a 1x1 conv of their input to x2, and x2 to x4), from ncarraz/ESRGANplus's
  codes/models/modules (architecture.py, block.py) at revision c967725, in the original layout, x4.

The upstream files are read from git checkouts of https://github.com/xinntao/ESRGAN and
https://github.com/ncarraz/ESRGANplus (not copied into this repository) and imported from a temporary folder. Needs
Debian's python3-torch:

    /usr/bin/python3 src/test/python/make_esrgan_layout_fixtures.py /path/to/ESRGAN/.git /path/to/ESRGANplus/.git

ESRGAN+ needs two more harness changes, neither of which touches what an evaluated network computes: its
GaussianNoise module (identity in eval mode; training only) puts a tensor on CUDA when it is built, so it is
replaced by the identity; and architecture.py imports torchvision for its discriminators only, so a stand-in module
is registered for that import.

The only change to upstream behaviour: RRDB_Net hard-codes 32 growth channels; the generator hands it (through its
module global B) an RRDB constructor with 4 instead, so the fixtures stay small (the network code is upstream's, only the width differs).

Writes src/test/resources/fixtures/esrgan_*: random original-layout models (.pth) at each scale with their outputs
(float32 LE, CHW) on crops of the astronaut test image, a second x4 model (the first plus small noise, as a
fine-tune would be) in BSRGAN's layout, its output, and the output of the two interpolated at alpha 0.3.
"""
import importlib
import os
import subprocess
import sys
import tempfile
import types

import numpy as np
import torch

from fixture_common import OUT, astronaut_crop, run

ORIGINAL_REV = "140595a"
PLUS_REV = "c967725"
XINNTAO_REV = "d274b11"
NF = 8
GC = 4


def upstream(git_dir, rev, files, folder):
    for f in files:
        text = subprocess.run(["git", "--git-dir", git_dir, "show", rev + ":" + f], check=True,
                              capture_output=True).stdout
        with open(os.path.join(folder, os.path.basename(f)), "wb") as out:
            out.write(text)


def write(name, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(os.path.join(OUT, name))


def original_net(arch, block, scale, nb):
    # architecture.py reaches block.py as its global B: give it a view of block whose RRDB is built with GC
    def narrow(nc, kernel_size=3, gc=32, **kw):
        return block.RRDB(nc, kernel_size, gc=GC, **kw)

    view = types.SimpleNamespace(**{k: getattr(block, k) for k in dir(block) if not k.startswith("__")})
    view.RRDB = narrow
    arch.B = view
    try:
        if hasattr(arch, "RRDB_Net"):  # ESRGAN's
            return arch.RRDB_Net(3, 3, NF, nb, gc=GC, upscale=scale, norm_type=None, act_type="leakyrelu",
                                 mode="CNA", res_scale=1, upsample_mode="upconv").eval()
        return arch.RRDBNet(3, 3, NF, nb, gc=GC, upscale=scale, norm_type=None, act_type="leakyrelu",  # ESRGAN+'s
                            mode="CNA", upsample_mode="upconv").eval()
    finally:
        arch.B = block


def to_xinntao(state, nb):
    """ESRGAN's transer_RRDB_models.py renaming, for a model with nb blocks and two up-samplers."""
    out = {"conv_first.weight": state["model.0.weight"], "conv_first.bias": state["model.0.bias"]}
    for k, v in state.items():
        if ".RDB" in k:
            out[k.replace("model.1.sub.", "RRDB_trunk.").replace(".0.weight", ".weight").replace(".0.bias", ".bias")] = v
    for new, old in (("trunk_conv", "model.1.sub.%d" % nb), ("upconv1", "model.3"), ("upconv2", "model.6"),
                     ("HRconv", "model.8"), ("conv_last", "model.10")):
        out[new + ".weight"] = state[old + ".weight"]
        out[new + ".bias"] = state[old + ".bias"]
    return out


def main():
    git_dir = sys.argv[1]
    torch.manual_seed(20241205)
    crop = astronaut_crop()
    with tempfile.TemporaryDirectory() as tmp:
        upstream(git_dir, ORIGINAL_REV, ["architecture.py", "block.py"], tmp)
        os.makedirs(os.path.join(tmp, "new"))
        upstream(git_dir, XINNTAO_REV, ["RRDBNet_arch.py"], os.path.join(tmp, "new"))
        sys.path.insert(0, tmp)
        block = importlib.import_module("block")
        arch = importlib.import_module("architecture")
        sys.path.insert(0, os.path.join(tmp, "new"))
        new_arch = importlib.import_module("RRDBNet_arch")

        # every scale of the original layout: input crops sized so outputs stay small
        for scale, nb, (h, w) in ((1, 2, (20, 24)), (2, 1, (12, 14)), (4, 2, (10, 12)), (8, 1, (6, 8)), (16, 1, (5, 6))):
            net = original_net(arch, block, scale, nb)
            state = net.state_dict()
            torch.save(state, os.path.join(OUT, "esrgan_orig_x%d.pth" % scale))
            write("esrgan_orig_x%d_astronaut%dx%d.f32" % (scale, w, h), run(net, crop[:h, :w]))

        # a correlated pair at x4: the original-layout model above and a "fine-tuned" copy in BSRGAN's layout
        a = original_net(arch, block, 4, 2)
        a.load_state_dict(torch.load(os.path.join(OUT, "esrgan_orig_x4.pth")))
        b_state = {k: v + 0.01 * torch.randn_like(v) for k, v in a.state_dict().items()}
        b_new = to_xinntao(b_state, 2)
        b = new_arch.RRDBNet(3, 3, NF, 2, gc=GC).eval()
        b.load_state_dict(b_new)
        torch.save(b.state_dict(), os.path.join(OUT, "esrgan_xinntao_x4.pth"))
        write("esrgan_xinntao_x4_astronaut12x10.f32", run(b, crop[:10, :12]))
        # the interpolation of the two, computed in the original layout with upstream's RRDB_Net (net_interp.py's rule)
        mix = original_net(arch, block, 4, 2)
        mix.load_state_dict({k: 0.7 * v + 0.3 * b_state[k] for k, v in a.state_dict().items()})
        write("esrgan_mix0.3_astronaut12x10.f32", run(mix, crop[:10, :12]))

        # ESRGAN+ (original layout, x4): its package imported as "plusmodules"
        if len(sys.argv) > 2:
            pkg = os.path.join(tmp, "plusmodules")
            os.makedirs(pkg)
            upstream(sys.argv[2], PLUS_REV, ["codes/models/modules/" + f for f in ("architecture.py", "block.py",
                                                                                    "spectral_norm.py")], pkg)
            open(os.path.join(pkg, "__init__.py"), "w").close()
            sys.modules.setdefault("torchvision", types.ModuleType("torchvision"))
            plus_block = importlib.import_module("plusmodules.block")
            plus_block.GaussianNoise = torch.nn.Identity
            plus_arch = importlib.import_module("plusmodules.architecture")
            plus = original_net(plus_arch, plus_block, 4, 1)
            torch.save(plus.state_dict(), os.path.join(OUT, "esrgan_plus_x4.pth"))
            write("esrgan_plus_x4_astronaut12x10.f32", run(plus, crop[:10, :12]))


if __name__ == "__main__":
    main()
