#!/usr/bin/python3
"""Prints the alignment study's table (Markdown) from what jobs/align-study.sh wrote under OUT.

Per pair: the Eq. 3 median of layer medians before and after alignment (correlate/correlation.json), and for each
sweep variant its endpoints, its value at alpha 0.5 and its dip below the worse endpoint (summary.json, by the sweep's
own metric). Python's standard library only.
"""
import json
import os
import sys

VARIANTS = [("dni", "DNI"), ("aligned", "aligned"), ("renormalised", "renormalised"),
            ("aligned-renormalised", "aligned + renormalised"), ("pixel", "pixel blending")]


def load(path):
    with open(path) as f:
        return json.load(f)


def main(out):
    print("| pair | images, metric | Eq. 3 median: plain → aligned | "
          + " | ".join("dip: " + label for _, label in VARIANTS) + " | endpoints |")
    print("|---|---|---|" + "---|" * len(VARIANTS) + "---|")
    curves = []
    for name in sorted(os.listdir(out)):
        corr = os.path.join(out, name, "correlate", "correlation.json")
        if not os.path.exists(corr):
            continue
        c = load(corr)
        before = c["pairs"][0]["median_of_layer_medians"]
        after = c["after_alignment"][0]["median_of_layer_medians"]
        dips, ends, meta = [], "", ""
        for variant, label in VARIANTS:
            path = os.path.join(out, name, variant, "summary.json")
            if not os.path.exists(path):
                dips.append("—")
                continue
            s = load(path)
            metric = "mean_" + s["metric"]
            dips.append("%.2f dB" % s["dip_below_endpoints_db"])
            if variant == "dni":
                ends = "%.2f / %.2f" % (s["first"][metric], s["last"][metric])
                meta = "%d, %s" % (s["images"], s["metric"].replace("_", " "))
            curves.append((name, label, " ".join("%.2f" % e[metric] for e in s["per_coefficient"])))
        print("| %s | %s | %.3f → %.3f | %s | %s |" % (name, meta, before, after, " | ".join(dips), ends))
    print()
    print("| pair | Eq. 3 per-layer medians, plain | after alignment | weight cosine before → after | channels moved |")
    print("|---|---|---|---|---|")
    for name in sorted(os.listdir(out)):
        corr = os.path.join(out, name, "correlate", "correlation.json")
        if not os.path.exists(corr):
            continue
        c = load(corr)
        per = lambda pair: " ".join("%.3f" % l["median"] for l in pair["layers"])
        a = c["alignment"][0]
        print("| %s | %s | %s | %.3f → %.3f | %d of %d |" % (name, per(c["pairs"][0]), per(c["after_alignment"][0]),
                                                        a["cosine_before"], a["cosine_after"], a["moved_channels"],
                                                        a["channels"]))
    print()
    print("| pair | variant | alpha 0, 0.1, ..., 1 |")
    print("|---|---|---|")
    for name, label, curve in curves:
        print("| %s | %s | %s |" % (name, label, curve))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/align-study")
