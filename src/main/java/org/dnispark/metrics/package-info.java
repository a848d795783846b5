/**
 * Image quality metrics as plug-ins: {@link org.dnispark.metrics.Metric} (name, column, title, unit, decimals,
 * direction, reference or not, score) and {@link org.dnispark.metrics.MetricRegistry}, which every consumer of
 * scores reads. PSNR and SSIM follow BasicSR's exact conventions (uint8 after the crop border, RGB or the BT.601
 * luma; SSIM's 11x11 Gaussian window, sigma 1.5, valid region); NIQE is no-reference, under a natural-scene model
 * fitted on the driver. Images are quantised once ({@link org.dnispark.metrics.Quantised}) and every metric reads
 * that copy. Also an image's noise level from the image alone ({@link org.dnispark.metrics.NoiseEstimate}). No
 * Spark, no DJL.
 */
package org.dnispark.metrics;
