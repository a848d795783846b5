#!/usr/bin/env python3
"""The tables and crops of jobs/sr-study.sh, from its run folders (usage: jobs/sr-table.py OUT [CROPS.png]).

Every number comes from the runs' own files: each sweep's psnr.csv (every image at every alpha; PSNR and SSIM on the
luma, 4 border pixels left out), its niqe.csv (jobs/dni niqe of every kept output), niqe-ground-truth.csv, and the
correlate report's layers.csv. The crops are cut from the sweeps' kept outputs (frames/<image>/NN_<label>.png) at the
96 x 96 window of the ground truth with the most gradient energy, enlarged 2x by pixel repetition."""
import csv
import json
import os
import sys
from collections import defaultdict

SETS = ["Set5", "Set14", "demo"]


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def mean(xs):
    xs = list(xs)
    return sum(xs) / len(xs)


def sweep_means(run):
    """alpha -> (PSNR-Y, SSIM-Y, images), the means over images."""
    by = defaultdict(list)
    for r in rows(os.path.join(run, "psnr.csv")):
        by[(int(r["index"]), float(r["alpha"]))].append((float(r["psnr_y"]), float(r["ssim_y"])))
    return {k: (mean(p for p, _ in v), mean(s for _, s in v), len(v)) for k, v in sorted(by.items())}


def niqe_means(run):
    """coefficient index -> mean NIQE over images (frames are NN_<label>.png)."""
    by = defaultdict(list)
    path = os.path.join(run, "niqe.csv")
    if not os.path.exists(path):
        return {}
    for r in rows(path):
        by[int(r["image"].split("_")[0])].append(float(r["niqe"]))
    return {k: mean(v) for k, v in by.items()}


def table(out):
    print("| set | alpha | DNI PSNR-Y | DNI SSIM-Y | DNI NIQE | pixel PSNR-Y | pixel SSIM-Y | pixel NIQE |")
    print("|---|---|---|---|---|---|---|---|")
    for s in SETS:
        d, p = os.path.join(out, s + "-dni"), os.path.join(out, s + "-pixel")
        if not os.path.exists(os.path.join(d, "psnr.csv")):
            continue
        dm, pm = sweep_means(d), sweep_means(p)
        dn, pn = niqe_means(d), niqe_means(p)
        for (i, a), (ps, ss, n) in dm.items():
            pp, sp, _ = pm[(i, a)]
            print("| %s (%d) | %.1f | %.2f | %.4f | %s | %.2f | %.4f | %s |" % (
                s, n, a, ps, ss, "%.3f" % dn[i] if i in dn else "-", pp, sp, "%.3f" % pn[i] if i in pn else "-"))
    gt = os.path.join(out, "niqe-ground-truth.csv")
    if os.path.exists(gt):
        by = defaultdict(list)
        for r in rows(gt):
            by[os.path.basename(r["folder"].rstrip("/"))].append(float(r["niqe"]))
        print()
        print("NIQE of the ground truth: " + ", ".join("%s %.3f (%d images)" % (
            "demo" if k == "images" else k, mean(v), len(v)) for k, v in by.items()))


def gan_table(out):
    """The paper's direction: DNI from the MSE partner to its GAN fine-tune (jobs/sr-study.sh gan)."""
    run = os.path.join(out, "gan-Set14-dni")
    if not os.path.exists(os.path.join(run, "psnr.csv")):
        return
    m, n = sweep_means(run), niqe_means(run)
    print()
    print("MSE partner -> its GAN fine-tune, Set14, DNI:")
    print()
    print("| alpha | PSNR-Y | SSIM-Y | NIQE |")
    print("|---|---|---|---|")
    for (i, a), (p, s, _) in m.items():
        print("| %.1f | %.2f | %.4f | %s |" % (a, p, s, "%.3f" % n[i] if i in n else "-"))
    layers = rows(os.path.join(out, "gan-correlation", "layers.csv"))
    meds = sorted(float(r["median"]) for r in layers if r["tensor"].endswith(".weight"))
    print()
    print("Eq. 3, partner vs its GAN fine-tune: %d layers, lowest layer median %.4f, median %.4f" % (
        len(meds), meds[0], meds[len(meds) // 2]))
    train = os.path.join(out, "gan-finetune.json")
    if os.path.exists(train):
        c = json.load(open(train))["summary"]
        print("GAN fine-tune: %d steps in %.0f s; L1 %.5f -> %.5f, adversarial %.4f -> %.4f, discriminator "
              "%.4f -> %.4f" % (c["curve"][-1]["step"], c["seconds"], c["curve"][0]["loss"], c["curve"][-1]["loss"],
                                c["curve"][0]["adversarial_loss"], c["curve"][-1]["adversarial_loss"],
                                c["curve"][0]["discriminator_loss"], c["curve"][-1]["discriminator_loss"]))


def basicsr_names(convs):
    """BasicSR's names of an ncnn RRDBNet's convolutions, in the file's order (as RrdbNet.fromNcnn reads them)."""
    blocks = (convs - 6) // 15
    names = ["conv_first"]
    for b in range(blocks):
        for r in range(1, 4):
            for c in range(1, 6):
                names.append("body.%d.rdb%d.conv%d" % (b, r, c))
    return names + ["conv_body", "conv_up1", "conv_up2", "conv_hr", "conv_last"]


def correlation(out):
    path = os.path.join(out, "correlation", "layers.csv")
    if not os.path.exists(path):
        return
    layers = [r for r in rows(path) if r["tensor"].endswith(".weight")]
    names = basicsr_names(len(layers))
    meds = [float(r["median"]) for r in layers]
    print()
    print("Eq. 3 between the MSE partner and the GAN model, per layer (median over each layer's filters):")
    print()
    print("| layer | median | min |")
    print("|---|---|---|")
    picks = [0, 1, 5, 15, 16, 45, 46, len(layers) - 5, len(layers) - 4, len(layers) - 3, len(layers) - 2,
             len(layers) - 1]
    for i in sorted(set(j for j in picks if 0 <= j < len(layers))):
        print("| %s | %.4f | %.4f |" % (names[i], meds[i], float(layers[i]["min"])))
    srt = sorted(meds)
    print()
    print("%d layers: median of the layer medians %.4f, lowest layer median %.4f (%s), highest %.4f; "
          "layers under 0.689: %d" % (len(meds), srt[len(srt) // 2] if len(srt) % 2 else
                                      (srt[len(srt) // 2 - 1] + srt[len(srt) // 2]) / 2, srt[0],
                                      names[meds.index(srt[0])], srt[-1], sum(1 for m in meds if m < 0.689)))


def crops(out, target):
    from PIL import Image, ImageDraw
    import numpy as np
    picks = [("Set14", "baboon"), ("Set14", "zebra"), ("Set5", "butterfly_GT"), ("demo", "chelsea")]
    columns = [("ground truth", None, None), ("alpha 0 (MSE)", "dni", 0), ("DNI 0.5", "dni", 5),
               ("pixel 0.5", "pixel", 5), ("alpha 1 (GAN)", "dni", 10)]
    side, zoom, pad, head = 96, 2, 4, 16
    cell = side * zoom
    sheet = Image.new("RGB", (len(columns) * (cell + pad) + pad, len(picks) * (cell + pad) + pad + head), "white")
    draw = ImageDraw.Draw(sheet)
    for c, (title, _, _) in enumerate(columns):
        draw.text((pad + c * (cell + pad) + 4, 2), title, fill="black")
    data = os.environ.get("SHARED", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
    for r, (s, image) in enumerate(picks):
        truth_path = os.path.join(os.path.dirname(__file__), "..", "demo", "images", image + ".png") if s == "demo" \
            else os.path.join(data, s, image + ".png")
        truth = np.asarray(Image.open(truth_path).convert("RGB"), dtype=np.float64)
        h, w = (truth.shape[0] // 4) * 4, (truth.shape[1] // 4) * 4
        truth = truth[:h, :w]
        y = truth @ np.array([0.299, 0.587, 0.114])
        energy = np.abs(np.diff(y, axis=0))[:, :-1] + np.abs(np.diff(y, axis=1))[:-1, :]
        best, at = -1.0, (0, 0)
        for y0 in range(8, h - side - 8, 8):
            for x0 in range(8, w - side - 8, 8):
                e = energy[y0:y0 + side, x0:x0 + side].mean()
                if e > best:
                    best, at = e, (y0, x0)
        y0, x0 = at
        for c, (_, method, index) in enumerate(columns):
            if method is None:
                img = Image.fromarray(truth.astype(np.uint8))
            else:
                folder = os.path.join(out, "%s-%s" % (s, method), "frames", image)
                name = [f for f in sorted(os.listdir(folder)) if f.startswith("%02d_" % index)][0]
                img = Image.open(os.path.join(folder, name)).convert("RGB")
            crop = img.crop((x0, y0, x0 + side, y0 + side)).resize((cell, cell), Image.NEAREST)
            sheet.paste(crop, (pad + c * (cell + pad), head + pad + r * (cell + pad)))
        print("crop %s/%s: 96x96 at x=%d, y=%d" % (s, image, x0, y0))
    sheet.save(target)
    print("wrote " + target)


def main():
    out = sys.argv[1]
    table(out)
    correlation(out)
    gan_table(out)
    if len(sys.argv) > 2:
        print()
        crops(out, sys.argv[2])
    train = os.path.join(out, "mse-partner.json")
    if os.path.exists(train):
        m = json.load(open(train))
        curve = m["summary"]["curve"]
        print()
        print("MSE partner: %d steps in %.0f s on %d torch threads; L1 %.5f (steps 1-%d) -> %.5f (last %d)" % (
            curve[-1]["step"], m["summary"]["seconds"], m["summary"]["torch_threads"], curve[0]["loss"],
            curve[0]["step"], curve[-1]["loss"], curve[-1]["step"] - curve[-2]["step"]))


if __name__ == "__main__":
    main()
