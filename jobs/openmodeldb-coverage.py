#!/usr/bin/env python3
"""How much of OpenModelDB's catalogue dni-spark loads, counted from the catalogue's own data (data/models/*.json of a
checkout of https://github.com/OpenModelDB/open-model-database; nothing is downloaded):

    jobs/openmodeldb-coverage.py /path/to/open-model-database

A model counts as loadable when its entry offers a file format dni-spark reads as a state dict (.pth or
.safetensors) and its architecture, scale and channels are among the built-in ones (RULES below). The catalogue
does not record a file's key layout. dni-spark reads every ESRGAN layout the issue names (original, BSRGAN, BasicSR),
so an ESRGAN entry counts whatever its layout; ESRGAN+ (its own architecture in the catalogue) is read in ESRGAN's
original layout, the one it is published in. Not counted: grey or 4-channel ESRGAN models, the pth releases of
Real-CUGAN (dni-spark runs Real-CUGAN from ncnn), and SRResNet, whose key layout the catalogue does not say.
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
}


def loadable(m):
    rule = RULES.get(m["architecture"])
    if rule is None:
        return False
    _, scales, channels = rule
    types = {r.get("type") for r in m.get("resources", [])}
    return bool(types & STATE_DICT_TYPES) and m.get("scale") in scales and (
        m.get("inputChannels"), m.get("outputChannels")) in channels


def main():
    folder = os.path.join(sys.argv[1], "data", "models")
    models = [json.load(open(f, encoding="utf-8")) for f in sorted(glob.glob(os.path.join(folder, "*.json")))]
    if not models:
        sys.exit("openmodeldb-coverage: no data/models/*.json under " + sys.argv[1])
    by_arch = collections.Counter(m["architecture"] for m in models)
    ok = collections.Counter(m["architecture"] for m in models if loadable(m))
    print("%-22s %7s %9s" % ("architecture", "models", "loadable"))
    for arch, n in by_arch.most_common():
        if n >= 5 or ok[arch]:
            print("%-22s %7d %9d" % (arch, n, ok[arch]))
    rest = sum(n for a, n in by_arch.items() if n < 5 and not ok[a])
    print("%-22s %7d %9d" % ("(others, < 5 each)", rest, 0))
    total, loaded = len(models), sum(ok.values())
    print("loadable: %d of %d models (%.1f%%)" % (loaded, total, 100.0 * loaded / total))


if __name__ == "__main__":
    main()
