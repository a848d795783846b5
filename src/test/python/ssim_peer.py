"""SSIM of two PNG images by scikit-image, configured as BasicSR computes it, for SsimTest.

Usage: ssim_peer.py A.png B.png CROP_BORDER -> prints JSON {"rgb": ..., "y": ...}.
Y is BT.601 luma in [16, 235] from uint8 RGB (MATLAB's coefficients, not rounded), as BasicSR's to_y_channel.
"""
import json
import sys

import numpy as np
from skimage.io import imread
from skimage.metrics import structural_similarity


def ssim(a, b):
    return structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                 data_range=255, channel_axis=2 if a.ndim == 3 else None)


def main():
    a = imread(sys.argv[1])[..., :3].astype(np.float64)
    b = imread(sys.argv[2])[..., :3].astype(np.float64)
    c = int(sys.argv[3])
    if c > 0:
        a = a[c:-c, c:-c]
        b = b[c:-c, c:-c]

    def luma(x):
        return 16.0 + (65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]) / 255.0

    print(json.dumps({"rgb": float(ssim(a, b)), "y": float(ssim(luma(a), luma(b)))}))


if __name__ == "__main__":
    main()
