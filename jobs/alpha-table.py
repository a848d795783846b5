#!/usr/bin/env python3
"""The table of jobs/alpha-study.sh, from its run folders (usage: jobs/alpha-table.py OUT).

Every number comes from the sweeps' own files: summary.json, psnr.csv (each image at each alpha), per_image.csv
(each image's best, noise estimate and predicted alpha), adaptive.csv (the region-adaptive composites). PSNR and
SSIM are of the 8-bit greyscale outputs (psnr_rgb and ssim_rgb of grey images, no border crop)."""
import csv
import json
import os
import sys
from collections import defaultdict


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def mean(xs):
    xs = list(xs)
    return sum(xs) / len(xs)


def main(out):
    run = os.path.join(out, "bsd68-sigma40")
    s = json.load(open(os.path.join(run, "summary.json")))
    scores = defaultdict(dict)  # image -> index -> (psnr, ssim)
    for r in rows(os.path.join(run, "psnr.csv")):
        scores[r["image"]][int(r["index"])] = (float(r["psnr_rgb"]), float(r["ssim_rgb"]))
    images = sorted(scores)
    best = s["best"]
    table = []
    table.append(("dataset-best alpha (one for all images)", f"alpha {best['label']}", best["mean_psnr_rgb"],
                  best["mean_ssim_rgb"]))
    table.append(("per-image oracle (each image its own best grid alpha; PSNR and SSIM each chosen by itself)",
                  "alpha per image", mean(max(v[0] for v in scores[i].values()) for i in images),
                  mean(max(v[1] for v in scores[i].values()) for i in images)))
    per = {r["image"]: r for r in rows(os.path.join(run, "per_image.csv"))}
    p = s["predictor"]
    predicted = [int(per[i]["predicted_index"]) for i in images]
    alphas = sorted(set(float(per[i]["predicted_alpha"]) for i in images))
    table.append((f"predictor on held-out images (alpha = {p['intercept']:.4f} + {p['slope']:.5f} x input noise, "
                  f"fitted on {p['fitted_on_images']} Set12 images at sigma 30/40/50)",
                  f"alpha {min(alphas):.3f} ... {max(alphas):.3f}",
                  mean(scores[i][k][0] for i, k in zip(images, predicted)),
                  mean(scores[i][k][1] for i, k in zip(images, predicted))))
    a = s["region_adaptive"]
    table.append((f"region-adaptive (levels {a['levels']}, flat {a['flat_alpha']}, textured {a['textured_alpha']}, "
                  f"window {a['smoothing']} px; parameters chosen on Set12)", "alpha map per image",
                  a["mean_psnr_rgb"], a["mean_ssim_rgb"]))
    sch = json.load(open(os.path.join(out, "bsd68-sigma40-schedules", "summary.json")))
    def ends(c):  # front and back alphas of a schedule (a uniform one has its alpha)
        if "schedule" in c:
            return f"front {c['schedule']['front']:.1f}, back {c['schedule']['back']:.1f}"
        return f"front = back = {c['alpha']:.1f}"
    sb = sch["best"]
    by_ssim = max(sch["per_coefficient"], key=lambda c: c["mean_ssim_rgb"])
    table.append((f"best two-parameter per-layer schedule (front and back alphas on a 0.1 grid over [0.3, 1], "
                  f"linear in depth between; best by SSIM: {ends(by_ssim)}, {by_ssim['mean_ssim_rgb']:.4f})",
                  ends(sb), sb["mean_psnr_rgb"], sb["mean_ssim_rgb"]))
    print(f"BSD68 ({len(images)} images), Gaussian noise sigma 40, DnCNN N20 -> N60 (out/paper/dncnn):\n")
    print("| method | alpha | PSNR (dB) | SSIM | PSNR vs dataset-best |")
    print("|---|---|---|---|---|")
    for name, alpha, psnr, ssim in table:
        print(f"| {name} | {alpha} | {psnr:.4f} | {ssim:.4f} | {psnr - table[0][2]:+.4f} |")
    uniform = [c for c in sch["per_coefficient"] if c.get("alpha") is not None]
    if uniform:
        u = max(uniform, key=lambda c: c["mean_psnr_rgb"])
        print(f"\nThe schedule sweep's own uniform diagonal (front = back) peaks at alpha {u['alpha']:.1f}: "
              f"{u['mean_psnr_rgb']:.4f} dB.")
    held = os.path.join(out, "set12-sigma40-best-schedule", "summary.json")
    if os.path.exists(held):
        h = json.load(open(held))["best"]
        g = json.load(open(os.path.join(out, "set12-sigma40", "summary.json")))["best"]
        print(f"\nThe best BSD68 schedule ({ends(sb)}) on Set12 at sigma 40, held out: {h['mean_psnr_rgb']:.4f} dB, "
              f"SSIM {h['mean_ssim_rgb']:.4f}; Set12's best single alpha ({g['label']}): {g['mean_psnr_rgb']:.4f} dB, "
              f"SSIM {g['mean_ssim_rgb']:.4f} ({h['mean_psnr_rgb'] - g['mean_psnr_rgb']:+.4f} dB).")
    variants = sorted(d for d in os.listdir(out) if d.startswith("set12-sigma40-adaptive-"))
    if variants:
        print("\nRegion-adaptive parameters tried on Set12, sigma 40 (the highest mean PSNR is used on BSD68):\n")
        print("| flat-alpha | textured-alpha | Set12 PSNR (dB) | Set12 best single alpha |")
        print("|---|---|---|---|")
        for d in variants:
            v = json.load(open(os.path.join(out, d, "summary.json")))
            ra = v["region_adaptive"]
            print(f"| {ra['flat_alpha']} | {ra['textured_alpha']} | {ra['mean_psnr_rgb']:.4f} | "
                  f"{v['best']['label']}: {v['best']['mean_psnr_rgb']:.4f} |")


if __name__ == "__main__":
    main(sys.argv[1])
