/**
 * Image quality metrics with BasicSR's exact conventions: PSNR and SSIM (11x11 Gaussian window, sigma 1.5, valid
 * region) on uint8 images after the crop border, over RGB or the BT.601 luma; and an image's noise
 * level from the image alone ({@link org.dnispark.metrics.NoiseEstimate}). No Spark, no DJL.
 */
package org.dnispark.metrics;
