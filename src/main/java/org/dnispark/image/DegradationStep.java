package org.dnispark.image;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.dnispark.core.SplitMix;

/**
 * One step of a synthetic degradation chain (sweep mode "synthetic"): a MATLAB-compatible bicubic down-scale, a JPEG
 * round trip at a quality, or additive Gaussian noise at a sigma (0-255 scale), seeded per image so that runs are
 * reproducible whatever the partitioning. {@code value} is the down-scale factor (0 = the model's scale), the JPEG
 * quality or the noise sigma; {@code clip} says whether noise is clipped to [0, 1] (DnCNN-style benchmarks do not).
 */
public record DegradationStep(Kind kind, double value, boolean clip) implements Serializable {
    /** The kinds of step, spelled in configuration as {@code bicubic-down}, {@code jpeg}, {@code gaussian-noise}. */
    public enum Kind {
        BICUBIC_DOWN, JPEG, GAUSSIAN_NOISE;

        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.configName().equals(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("'" + s + "' is not a degradation type; expected bicubic-down, jpeg or "
                    + "gaussian-noise");
        }
    }

    public DegradationStep {
        java.util.Objects.requireNonNull(kind, "kind");
    }

    public static DegradationStep bicubicDown(int factor) {
        if (factor < 0) {
            throw new IllegalArgumentException("bicubic-down factor " + factor + " must be >= 0 (0 = model scale)");
        }
        return new DegradationStep(Kind.BICUBIC_DOWN, factor, false);
    }

    public static DegradationStep jpeg(int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("jpeg quality " + quality + " is outside 1..100");
        }
        return new DegradationStep(Kind.JPEG, quality, false);
    }

    public static DegradationStep gaussianNoise(double sigma, boolean clip) {
        if (!(sigma >= 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("gaussian-noise sigma " + sigma + " must be a finite number >= 0");
        }
        return new DegradationStep(Kind.GAUSSIAN_NOISE, sigma, clip);
    }

    /** Applies the step; {@code modelScale} resolves a factor of 0, {@code seed} drives the noise. */
    public RgbImage apply(RgbImage img, int modelScale, long seed) {
        switch (kind) {
            case BICUBIC_DOWN:
                return MatlabResize.downscale(img, value == 0 ? modelScale : (int) value);
            case JPEG:
                return ImageCodec.decode(ImageCodec.encodeJpeg(img, (int) value), "in-memory JPEG");
            case GAUSSIAN_NOISE: {
                Random rnd = new Random(seed);
                float[] src = img.data();
                float[] d = new float[src.length];
                double s = value / 255.0;
                // A greyscale image (the denoising test sets) gets one noise plane on all three channels, so it stays
                // greyscale and a grey model sees noise of the configured sigma (independent planes averaged to
                // grey would have sigma / sqrt(3)).
                int plane = img.width() * img.height();
                if (isGrey(src, plane)) {
                    for (int i = 0; i < plane; i++) {
                        float v = (float) (src[i] + s * rnd.nextGaussian());
                        d[i] = clip ? Math.min(1f, Math.max(0f, v)) : v;
                        d[plane + i] = d[i];
                        d[2 * plane + i] = d[i];
                    }
                } else {
                    for (int i = 0; i < d.length; i++) {
                        float v = (float) (src[i] + s * rnd.nextGaussian());
                        d[i] = clip ? Math.min(1f, Math.max(0f, v)) : v;
                    }
                }
                return new RgbImage(img.width(), img.height(), d);
            }
            default:
                throw new IllegalStateException(kind.toString());
        }
    }

    private static boolean isGrey(float[] chw, int plane) {
        for (int i = 0; i < plane; i++) {
            if (chw[i] != chw[plane + i] || chw[i] != chw[2 * plane + i]) {
                return false;
            }
        }
        return true;
    }

    /** Runs a chain on one image; the noise seed depends only on the run seed, the image name and the step index. */
    public static RgbImage applyAll(List<DegradationStep> steps, RgbImage img, int modelScale, long seed,
            String imageName) {
        RgbImage out = img;
        for (int i = 0; i < steps.size(); i++) {
            out = steps.get(i).apply(out, modelScale, imageSeed(seed, imageName, i));
        }
        return out;
    }

    static long imageSeed(long seed, String name, int step) {
        long h = 1125899906842597L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + b;
        }
        return splitMix(seed ^ splitMix(h + step));
    }

    private static long splitMix(long z) {
        return SplitMix.mix(z + SplitMix.GOLDEN);
    }

    @Override
    public String toString() {
        switch (kind) {
            case BICUBIC_DOWN:
                return "bicubic-down(x" + (value == 0 ? "scale" : Integer.toString((int) value)) + ")";
            case JPEG:
                return "jpeg(q=" + (int) value + ")";
            default:
                return "gaussian-noise(sigma=" + value + (clip ? ", clipped" : "") + ")";
        }
    }
}
