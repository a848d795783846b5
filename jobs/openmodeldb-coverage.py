#!/usr/bin/env python3
"""How much of OpenModelDB's catalogue dni-spark loads, counted from the catalogue's own data (data/models/*.json of a
checkout of https://github.com/OpenModelDB/open-model-database; nothing is downloaded):

    jobs/openmodeldb-coverage.py /path/to/open-model-database

A model counts as loadable as a state dict when its entry offers a file format dni-spark reads as one (.pth or
.safetensors) and its architecture, scale and channels are among the built-in ones (RULES below); it counts as
loadable through ONNX when its entry offers an .onnx file of an RGB model (ONNX Runtime runs any architecture; the
file must still pass the reader's checks: standard operators only, one image in and one out). The catalogue does not
record a file's key layout. dni-spark reads every ESRGAN layout the issue names (original, BSRGAN, BasicSR), so an
ESRGAN entry counts whatever its layout; ESRGAN+ (its own architecture in the catalogue) is read in ESRGAN's original
layout, the one it is published in. The catalogue lists RealPLKSR with DySample up-sampling as an architecture of its
own (realplksr-dysample), which is not built in. Counted although the catalogue cannot tell it apart, and refused when
read, naming why: SwinIR with a pixel-unshuffled input. The ONNX count is an upper bound: a video model's graph, for
one, takes several frames and is refused. Not counted: grey or
4-channel models, the pth releases of Real-CUGAN (dni-spark runs Real-CUGAN from ncnn), and SRResNet, whose key
layout the catalogue does not say.
"""
import collections
import glob
import json
import os
import sys

STATE_DICT_TYPES = {"pth", "safetensors"}
RULES = {
    # catalogue architecture: (built-in architecture, accepted scales, accepted (input, output) channels)
    "esrgan": ("RRDBNet, any of its three key layouts", {1, 2, 4, 8, 16}, {(3, 3)}),
    "esrgan+": ("RRDBNet with ESRGAN+'s 1x1 convs, original layout", {1, 2, 4, 8, 16}, {(3, 3)}),
    "compact": ("SRVGGNetCompact", {1, 2, 3, 4, 8}, {(3, 3)}),
    "span": ("SPAN", {1, 2, 3, 4, 8}, {(3, 3)}),
    "realplksr": ("RealPLKSR (pixel shuffle; DySample refused)", {1, 2, 3, 4, 8}, {(3, 3)}),
    "plksr": ("PLKSR (PLK large kernels)", {1, 2, 3, 4, 8}, {(3, 3)}),
    "dat": ("DAT", {1, 2, 3, 4, 8}, {(3, 3)}),
    "swinir": ("SwinIR (every reconstruction)", {1, 2, 3, 4, 8}, {(3, 3)}),
    "omnisr": ("OmniSR", {1, 2, 3, 4, 8}, {(3, 3)}),
}


def as_state_dict(m):
    rule = RULES.get(m["architecture"])
    if rule is None:
        return False
    _, scales, channels = rule
    types = {r.get("type") for r in m.get("resources", [])}
    return bool(types & STATE_DICT_TYPES) and m.get("scale") in scales and (
        m.get("inputChannels"), m.get("outputChannels")) in channels


def through_onnx(m):
    types = {r.get("type") for r in m.get("resources", [])}
    return "onnx" in types and (m.get("inputChannels"), m.get("outputChannels")) == (3, 3)


def loadable(m):
    return as_state_dict(m) or through_onnx(m)


def main():
    folder = os.path.join(sys.argv[1], "data", "models")
    models = [json.load(open(f, encoding="utf-8")) for f in sorted(glob.glob(os.path.join(folder, "*.json")))]
    if not models:
        sys.exit("openmodeldb-coverage: no data/models/*.json under " + sys.argv[1])
    by_arch = collections.Counter(m["architecture"] for m in models)
    sd = collections.Counter(m["architecture"] for m in models if as_state_dict(m))
    onnx = collections.Counter(m["architecture"] for m in models if through_onnx(m) and not as_state_dict(m))
    print("%-22s %7s %11s %10s" % ("architecture", "models", "state dict", "onnx only"))
    for arch, n in by_arch.most_common():
        if n >= 5 or sd[arch] or onnx[arch]:
            print("%-22s %7d %11d %10d" % (arch, n, sd[arch], onnx[arch]))
    rest = [a for a, n in by_arch.items() if n < 5 and not sd[a] and not onnx[a]]
    print("%-22s %7d %11d %10d" % ("(others, < 5 each)", sum(by_arch[a] for a in rest), 0, 0))
    total, loaded = len(models), sum(sd.values()) + sum(onnx.values())
    print("loadable: %d of %d models (%.1f%%): %d as state dicts, at most %d more through ONNX"
          % (loaded, total, 100.0 * loaded / total, sum(sd.values()), sum(onnx.values())))


if __name__ == "__main__":
    main()
