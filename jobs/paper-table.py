#!/usr/bin/python3
"""Prints the reproduction tables (Markdown) from the outputs of jobs/reproduce-paper.sh under OUT.

Reads only what the jobs wrote: sweeps/sigma*-{dni,pixel,finetuned}/summary.json and correlate/*/correlation.json,
plus the models' training provenance (N*.json). Python's standard library only.
"""
import json
import os
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def main(out):
    rows = []
    for s in (30, 40, 50):
        d = load(os.path.join(out, "sweeps", f"sigma{s}-dni", "summary.json"))
        p = load(os.path.join(out, "sweeps", f"sigma{s}-pixel", "summary.json"))
        f = load(os.path.join(out, "sweeps", f"sigma{s}-finetuned", "summary.json"))
        dni_best, pix_best = d["best"], p["best"]
        ft = f["best"]["mean_psnr_rgb"]
        ends = (d["first"]["mean_psnr_rgb"], d["last"]["mean_psnr_rgb"])
        rows.append((s, dni_best["alpha"], dni_best["mean_psnr_rgb"], ft, dni_best["mean_psnr_rgb"] - ft,
                     pix_best["alpha"], pix_best["mean_psnr_rgb"], dni_best["mean_psnr_rgb"] - pix_best["mean_psnr_rgb"],
                     ends[0], ends[1], d["images"]))
    print("| sigma | DNI best alpha | DNI PSNR | fine-tuned N{sigma} PSNR | DNI - fine-tuned | pixel best alpha "
          "| pixel PSNR | DNI - pixel | N20 alone | N60 alone | images |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %d | %.2f | %.2f | %.2f | %+.2f | %.2f | %.2f | %+.2f | %.2f | %.2f | %d |" % r)
    print()
    print("| pair | median of layer medians | per-layer medians | verdict |")
    print("|---|---|---|---|")
    for name in ("N20-N60", "N20-N20b"):
        path = os.path.join(out, "correlate", name, "correlation.json")
        if not os.path.exists(path):
            continue
        pair = load(path)["pairs"][0]
        layers = ", ".join("%s %.3f" % (l["tensor"].replace(".weight", ""), l["median"]) for l in pair["layers"])
        print("| %s | %.3f | %s | %s |" % (name, pair["median_of_layer_medians"], layers, pair["verdict"]))
    path = os.path.join(out, "correlate", "series", "correlation.json")
    if os.path.exists(path):
        print()
        print("| fine-tuned model | alpha | layer | median corr. with DNI filters | with N20 | with N60 "
              "| relative distance to DNI |")
        print("|---|---|---|---|---|---|---|")
        for e in load(path)["series"]:
            print("| %s | %.2f | %s | %.3f | %.3f | %.3f | %.3f |" % (
                os.path.basename(e["model"]).replace(".safetensors", ""), e["alpha"], e["tensor"],
                e["median_vs_interpolated"], e["median_vs_first"], e["median_vs_last"],
                e["relative_distance_to_interpolated"]))
    times = []
    for m in ("N20", "N20b", "N30", "N40", "N50", "N60"):
        path = os.path.join(out, m + ".json")
        if os.path.exists(path):
            t = load(path)
            times.append("%s %.0f s (loss %.6f)" % (m, t["seconds"], t["final_loss"]))
    if times:
        print()
        print("Training: " + ", ".join(times))


def pretrained(out):
    print("| family | pair | median of layer medians | lowest layer median | verdict |")
    print("|---|---|---|---|---|")
    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name, "correlation.json")
        if not os.path.exists(path):
            continue
        for pair in load(path)["pairs"]:
            a = os.path.basename(pair["a"]).replace("_model", "").replace(".json", "")
            b = os.path.basename(pair["b"]).replace("_model", "").replace(".json", "")
            print("| %s | %s / %s | %.3f | %.3f | %s |" % (name, a, b, pair["median_of_layer_medians"],
                                                          pair["lowest_layer_median"], pair["verdict"].split(":")[0]))
    sweeps = os.path.join(out, "sweeps")
    if os.path.isdir(sweeps):
        print()
        print("| sweep | method | PSNR at alpha 0, 0.1, ..., 1 | dip below the worse end | best alpha |")
        print("|---|---|---|---|---|")
        for name in sorted(os.listdir(sweeps)):
            path = os.path.join(sweeps, name, "summary.json")
            if name.startswith("_") or not os.path.exists(path):
                continue
            d = load(path)
            curve = " ".join("%.2f" % e["mean_psnr_y"] for e in d["per_coefficient"])
            print("| %s | %s | %s | %.2f dB | %.1f |" % (name.rsplit("-", 1)[0], d["method"], curve,
                                                       d["dip_below_endpoints_db"], d["best"]["alpha"]))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--pretrained":
        pretrained(sys.argv[2])
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else "out/paper/srcnn")
