#!/usr/bin/env python3
"""Reference fixtures for the attention architectures (SwinIR, DAT, OmniSR), made by spandrel's own network code
(chaiNNer-org/spandrel at revision b0c3eb2, libs/spandrel/spandrel/architectures/<arch>/__arch), not by a rewrite.

The upstream files are read from a git checkout of https://github.com/chaiNNer-org/spandrel (not copied into this
repository) into a temporary package tree with empty package __init__ files (so spandrel's loader is not imported).
Needs Debian's python3-torch:

    /usr/bin/python3 src/test/python/make_attention_fixtures.py /path/to/spandrel/.git /path/to/einops/.git \
        "$(jobs/fetch-models.sh --where)/waifu2x-1.6.5/models/4x_WTP_descreenton.pth"

Models are small and random (upstream's own initialisation, then the relative position tables and layer norms
jittered so that they matter), in upstream's key layout (.pth), with their outputs (float32 LE, CHW) on crops of the
astronaut test image chosen so that window padding is exercised (sizes that are not multiples of the window), and for
one variant of each architecture a "fine-tuned" copy (5% of each tensor's standard deviation as noise, running
statistics included, masks and position grids not) and the output of the pair interpolated key by key at alpha 0.4, loaded into upstream's network.
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
FILES = ["util/__init__.py", "util/timm/__init__.py", "util/timm/__drop.py", "util/timm/__helpers.py",
         "util/timm/__weight_init.py", "architectures/__arch_helpers/padding.py",
         "architectures/SwinIR/__arch/SwinIR.py", "architectures/DAT/__arch/DAT.py"]

OMNISR = ["OmniSR.py", "OSAG.py", "OSA.py", "esa.py", "layernorm.py", "pixelshuffle.py", "ChannelAttention.py"]
FILES += ["architectures/OmniSR/__arch/" + f for f in OMNISR]
# DAT and OmniSR import einops (pure Python); Debian has none, so it is read from a git checkout of
# https://github.com/arogozhnikov/einops at this revision, like the networks themselves
EINOPS_REV = "ccb89f2"


def checkout(git_dir, einops_git, folder):
    for f in FILES:
        text = subprocess.run(["git", "--git-dir", git_dir, "show", REV + ":" + LIB + f], check=True,
                              capture_output=True).stdout
        path = os.path.join(folder, "spandrel", f)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(text)
    for d, _, names in os.walk(os.path.join(folder, "spandrel")):
        if "__init__.py" not in names:
            open(os.path.join(d, "__init__.py"), "w").close()
    listing = subprocess.run(["git", "--git-dir", einops_git, "ls-tree", "-r", "--name-only", EINOPS_REV, "einops"],
                             check=True, capture_output=True, text=True).stdout.split()
    for f in listing:
        if f.endswith(".py") and "/tests/" not in f:
            path = os.path.join(folder, f)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as out:
                out.write(subprocess.run(["git", "--git-dir", einops_git, "show", EINOPS_REV + ":" + f], check=True,
                                         capture_output=True).stdout)


def write(name, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(os.path.join(OUT, name))


def jitter(state, scale):
    """A fine-tune: every learned tensor and running statistic moved; buffers that are functions of the
    hyper-parameters (attention masks, position grids) stay, as training leaves them."""
    fixed = ("attn_mask", "attn_mask_0", "attn_mask_1", "rpe_biases")
    return {k: v + scale * float(v.std()) * torch.randn_like(v) if v.is_floating_point() and v.numel() > 1
            and not k.endswith(fixed) else v.clone() for k, v in state.items()}


def lerp(a, b, alpha):
    return {k: (1 - alpha) * v + alpha * b[k] if v.is_floating_point() else v for k, v in a.items()}


def randomised(make):
    """Upstream's network with its zero-initialised relative position tables and unit layer norms made random."""
    net = make().eval()
    state = net.state_dict()
    for k, v in state.items():
        if k.endswith("relative_position_bias_table"):
            state[k] = 0.5 * torch.randn_like(v)
        elif (".norm" in k or k.startswith("norm.") or k.startswith("before_RG.") or ".pos" in k) and \
                v.is_floating_point() and not k.endswith("rpe_biases"):
            state[k] = v + 0.1 * torch.randn_like(v)
        elif k.endswith("running_mean") or k.endswith("temperature"):
            state[k] = v + 0.1 * torch.randn_like(v)
        elif k.endswith("running_var"):
            state[k] = v * (1 + 0.2 * torch.rand_like(v))
    net.load_state_dict(state)
    return net


def single(make, name, crop):
    net = randomised(make)
    torch.save(net.state_dict(), os.path.join(OUT, name + ".pth"))
    h, w = crop.shape[:2]
    out = run(net, crop)
    write("%s_astronaut%dx%d.f32" % (name, w, h), out)
    print(name, out.shape, float(out.min()), float(out.max()))
    return net


def pair(make, name, crop, alpha=0.4):
    a = single(make, name + "_a", crop)
    b_state = jitter(a.state_dict(), 0.05)
    b = make().eval()
    b.load_state_dict(b_state)
    torch.save(b_state, os.path.join(OUT, name + "_b.pth"))
    h, w = crop.shape[:2]
    write("%s_b_astronaut%dx%d.f32" % (name, w, h), run(b, crop))
    mix = make().eval()
    mix.load_state_dict(lerp(a.state_dict(), b_state, alpha))
    write("%s_mix%s_astronaut%dx%d.f32" % (name, alpha, w, h), run(mix, crop))


def main():
    torch.manual_seed(20261207)
    crop = astronaut_crop()
    with tempfile.TemporaryDirectory() as tmp:
        checkout(sys.argv[1], sys.argv[2], tmp)
        sys.path.insert(0, tmp)
        swinir = importlib.import_module("spandrel.architectures.SwinIR.__arch.SwinIR")

        def swin(**kw):
            base = dict(img_size=32, in_chans=3, embed_dim=12, depths=[2, 2], num_heads=[2, 3], window_size=8,
                        mlp_ratio=2.0, upscale=2, img_range=1.0, upsampler="pixelshuffle", resi_connection="1conv")
            base.update(kw)
            return lambda: swinir.SwinIR(**base)

        # classical SR (pixelshuffle, x2): a correlated pair; 40x36 pads the height to 40
        pair(swin(), "swinir_classical_x2", crop)
        # lightweight SR (pixelshuffledirect, x3), on a crop padded on both sides (27x30 -> 32x32)
        single(swin(upscale=3, upsampler="pixelshuffledirect"), "swinir_light_x3", crop[:30, :27])
        # real-world SR (nearest+conv, x4, 3conv residual connections)
        single(swin(upscale=4, upsampler="nearest+conv", resi_connection="3conv"), "swinir_real_x4", crop[:20, :18])
        # restoration (no upsampler, residual to the input), window 7 and image range 255 (the JPEG models')
        single(swin(upscale=1, upsampler="", window_size=7, img_size=28, img_range=255.0), "swinir_denoise_x1",
               crop[:30, :33])

        dat = importlib.import_module("spandrel.architectures.DAT.__arch.DAT")

        def datnet(**kw):
            # depths 3 and 2: layer 0 shifts its block 2, layer 1 its block 0 (upstream's rule)
            base = dict(img_size=16, in_chans=3, embed_dim=32, split_size=[2, 4], depth=[3, 2], num_heads=[2, 4],
                        expansion_factor=2.0, upscale=2, img_range=1.0, upsampler="pixelshuffle",
                        resi_connection="1conv")
            base.update(kw)
            return lambda: dat.DAT(**base)

        # pixelshuffle x2: a correlated pair, on a crop the spatial windows must pad (22x18 -> 24x20)
        pair(datnet(), "dat_x2", crop[:18, :22])
        # pixelshuffledirect x3 with 3conv residual connections, no qkv bias, split [4, 8]
        single(datnet(upscale=3, upsampler="pixelshuffledirect", resi_connection="3conv", qkv_bias=False,
                      split_size=[4, 8]), "dat_light_x3", crop[:13, :15])

        omni = importlib.import_module("spandrel.architectures.OmniSR.__arch.OmniSR")

        def omnisr(**kw):
            base = dict(num_in_ch=3, num_out_ch=3, num_feat=16, block_num=1, pe=True, window_size=8, res_num=2,
                        up_scale=2, bias=True)
            base.update(kw)
            return lambda: omni.OmniSR(**base)

        # x2 with position bias: a correlated pair; 40x36 pads the height to 40
        pair(omnisr(), "omnisr_x2", crop)
        # x3 without position bias (so the window is not in the file: upstream's default 8) or biases, two blocks per
        # group, on a crop padded both ways
        single(omnisr(up_scale=3, pe=False, bias=False, block_num=2, res_num=1), "omnisr_x3", crop[:21, :19])

        # a real, trained OmniSR: 4x_WTP_descreenton.pth from the model cache (waifu2x@1.6.5, jobs/fetch-models.sh),
        # its hyper-parameters as spandrel's OmniSR loader reads them from this file
        if len(sys.argv) > 3:
            state = torch.load(sys.argv[3], map_location="cpu")
            state = state.get("params", state)  # BasicSR's wrapper
            net = omni.OmniSR(num_in_ch=3, num_out_ch=3, num_feat=64, block_num=1, pe=True, window_size=8,
                              res_num=5, up_scale=4, bias=True).eval()
            net.load_state_dict(state)
            out = run(net, crop)
            write("omnisr_wtp_descreenton_astronaut40x36.f32", out)
            print("4x_WTP_descreenton", out.shape, float(out.min()), float(out.max()))


if __name__ == "__main__":
    main()
