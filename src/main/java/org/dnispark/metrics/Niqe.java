package org.dnispark.metrics;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.apache.commons.math3.special.Gamma;

import org.dnispark.image.MatlabResize;
import org.dnispark.image.RgbImage;

/**
 * NIQE (Mittal, Soundararajan and Bovik, "Making a completely blind image quality analyzer", 2013), a no-reference
 * measure of how far an image's natural-scene statistics are from those of pristine photographs: lower is more
 * natural. As the authors' MATLAB code computes it: the luma (MATLAB rgb2gray weights) on the 0-255 scale, cropped
 * to whole 96 x 96 blocks; per block and at two scales (the second a MATLAB-bicubic half), 18 features of the MSCN
 * coefficients (a generalised Gaussian fit, and asymmetric generalised Gaussian fits of the products with the four
 * neighbours); a multivariate Gaussian fitted to the features. The score is the distance between the image's
 * Gaussian and the pristine one.
 *
 * <p>The pristine model is {@link #fit fitted} on whatever photographs the caller names, keeping the blocks whose
 * sharpness (mean local deviation) is at least 0.75 of the image's sharpest, as the authors do. The published
 * model comes from 125 other photographs, so absolute numbers differ from published NIQE values; comparisons
 * under one model are what it is for.
 */
public final class Niqe {
    static final int BLOCK = 96;
    static final double SHARPNESS_THRESHOLD = 0.75;
    private static final int FEATURES = 36;
    private static final double[] GAMMAS;
    private static final double[] RATIOS;

    static {
        int n = (int) Math.round((10 - 0.2) / 0.001) + 1;
        GAMMAS = new double[n];
        RATIOS = new double[n];
        for (int i = 0; i < n; i++) {
            double g = 0.2 + 0.001 * i;
            GAMMAS[i] = g;
            RATIOS[i] = Math.exp(2 * Gamma.logGamma(2 / g) - Gamma.logGamma(1 / g) - Gamma.logGamma(3 / g));
        }
    }

    /** NIQE in the registry as {@code niqe}: lower is better; bound to a model fitted on dni.niqe.pristine. */
    public static final Metric METRIC = new Entry(null);

    private Niqe() {
    }

    /** The registry's entry; {@code model} is null until {@link #bind} fits it on the run's pristine photographs. */
    private static final Metric.Description DESCRIPTION = new Metric.Description("niqe", "niqe", "NIQE", "", 4,
            Metric.Direction.LOWER, false);

    private record Entry(Model model) implements Metric {
        @Override
        public Description description() {
            return DESCRIPTION;
        }

        @Override
        public boolean fitsOnPristine() {
            return true;
        }

        @Override
        public Metric bind(Fitting fitting) {
            return new Entry(fit(fitting.pristine()));
        }

        @Override
        public String refusal(int width, int height, int cropBorder) {
            return width < BLOCK || height < BLOCK ? "NIQE: image " + width + "x" + height + " is smaller than one "
                    + BLOCK + "x" + BLOCK + " block" : null;
        }

        @Override
        public double score(Quantised output, Quantised reference, int cropBorder) {
            if (model == null) {
                throw new IllegalStateException("NIQE scored before its natural-scene model was fitted (bind first)");
            }
            return Niqe.score(output, model);
        }
    }

    /**
     * The pristine model: the mean and covariance of the 36 features over every sharp block of the photographs.
     *
     * @param mean       36 feature means
     * @param covariance 36 x 36, row-major
     * @param blocks     how many blocks it was fitted on
     * @param images     how many photographs
     */
    /** A pristine image whose sharpest block's local deviation stays below this has no texture to learn from. */
    static final double MIN_TEXTURE = 1e-6;

    public record Model(double[] mean, double[] covariance, int blocks, int images) implements Serializable {
    }

    /** Fits the pristine model; every photograph must hold at least one 96 x 96 block. */
    public static Model fit(List<RgbImage> pristine) {
        List<double[]> kept = new ArrayList<>();
        int flat = 0;
        for (RgbImage img : pristine) {
            Features f = features(img);
            double max = 0;
            for (double s : f.sharpness) {
                max = Math.max(max, s);
            }
            if (!(max > MIN_TEXTURE)) {
                flat++; // no texture at all: every block would pass a threshold relative to nothing
                continue;
            }
            for (int b = 0; b < f.rows.size(); b++) {
                if (f.sharpness[b] >= SHARPNESS_THRESHOLD * max) {
                    kept.add(f.rows.get(b));
                }
            }
        }
        if (kept.size() < 2) {
            throw new IllegalArgumentException("NIQE: " + kept.size() + " sharp 96x96 block(s) in " + pristine.size()
                    + " pristine photograph(s)" + (flat > 0 ? " (" + flat + " without any texture)" : "")
                    + "; expected at least 2 to fit a model: give dni.niqe.pristine photographs with texture");
        }
        double[] mean = mean(kept);
        return new Model(mean, covariance(kept, mean), kept.size(), pristine.size());
    }

    /** The NIQE score of an image under {@code model} (lower: closer to the pristine statistics). */
    public static double score(RgbImage image, Model model) {
        return score(Quantised.of(image), model);
    }

    /** The NIQE score of an 8-bit image (the same as {@link #score(RgbImage, Model)} of its decoded PNG). */
    public static double score(Quantised image, Model model) {
        Features f = features(image);
        double[] mean = mean(f.rows);
        double[] cov = f.rows.size() > 1 ? covariance(f.rows, mean) : new double[FEATURES * FEATURES];
        RealMatrix pooled = new Array2DRowRealMatrix(FEATURES, FEATURES);
        for (int i = 0; i < FEATURES; i++) {
            for (int j = 0; j < FEATURES; j++) {
                pooled.setEntry(i, j, (model.covariance()[i * FEATURES + j] + cov[i * FEATURES + j]) / 2);
            }
        }
        RealVector d = new ArrayRealVector(model.mean()).subtract(new ArrayRealVector(mean));
        // the pseudo-inverse, as MATLAB's pinv: the pooled covariance can be singular for flat images
        RealMatrix inverse = new SingularValueDecomposition(pooled).getSolver().getInverse();
        return Math.sqrt(Math.max(0, d.dotProduct(inverse.operate(d))));
    }

    /** Per-block feature rows and the sharpness of each block at the first scale. */
    private record Features(List<double[]> rows, double[] sharpness) {
    }

    private static Features features(RgbImage img) {
        return features(Quantised.of(img));
    }

    private static Features features(Quantised img) {
        int bw = img.width() / BLOCK;
        int bh = img.height() / BLOCK;
        if (bw == 0 || bh == 0) {
            throw new IllegalArgumentException("NIQE: image " + img.width() + "x" + img.height() + " is smaller "
                    + "than one " + BLOCK + "x" + BLOCK + " block");
        }
        int w = bw * BLOCK;
        int h = bh * BLOCK;
        double[] y1 = luma(img, w, h);
        // MATLAB imresize(im, 0.5) on the 0-255 luma: the same bicubic kernel on each (identical) channel
        float[] grey = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < w * h; i++) {
                grey[c * w * h + i] = (float) (y1[i] / 255.0);
            }
        }
        RgbImage half = MatlabResize.downscale(new RgbImage(w, h, grey), 2);
        double[] y2 = new double[half.width() * half.height()];
        for (int i = 0; i < y2.length; i++) {
            y2[i] = half.data()[i] * 255.0;
        }
        double[][] m1 = mscn(y1, w, h);
        double[][] m2 = mscn(y2, half.width(), half.height());
        List<double[]> rows = new ArrayList<>();
        double[] sharpness = new double[bw * bh];
        for (int by = 0; by < bh; by++) {
            for (int bx = 0; bx < bw; bx++) {
                double[] row = new double[FEATURES];
                blockFeatures(m1[0], w, bx * BLOCK, by * BLOCK, BLOCK, row, 0);
                blockFeatures(m2[0], half.width(), bx * BLOCK / 2, by * BLOCK / 2, BLOCK / 2, row, 18);
                rows.add(row);
                double s = 0;
                for (int y = 0; y < BLOCK; y++) {
                    for (int x = 0; x < BLOCK; x++) {
                        s += m1[1][(by * BLOCK + y) * w + bx * BLOCK + x];
                    }
                }
                sharpness[by * bw + bx] = s / (BLOCK * BLOCK);
            }
        }
        return new Features(rows, sharpness);
    }

    /** The top-left {@code w x h} of the image's luma on the 0-255 scale: rgb2gray's weights on its 8-bit values. */
    private static double[] luma(Quantised img, int w, int h) {
        byte[] rgb = img.rgb();
        double[] y = new double[w * h];
        for (int row = 0; row < h; row++) {
            for (int x = 0; x < w; x++) {
                int i = 3 * (row * img.width() + x);
                double r = rgb[i] & 0xff;
                double g = rgb[i + 1] & 0xff;
                double b = rgb[i + 2] & 0xff;
                y[row * w + x] = 0.298936021293775 * r + 0.587043074451121 * g + 0.114020904255103 * b;
            }
        }
        return y;
    }

    /**
     * The MSCN coefficients {@code (I - mu) / (sigma + 1)} and the local deviation sigma, with a 7 x 7 Gaussian
     * window of deviation 7/6 (normalised) and replicated borders (MATLAB's imfilter 'replicate').
     */
    static double[][] mscn(double[] img, int w, int h) {
        double[] k = new double[7];
        double sum = 0;
        for (int i = 0; i < 7; i++) {
            double t = (i - 3) / (7.0 / 6.0);
            k[i] = Math.exp(-0.5 * t * t);
            sum += k[i];
        }
        for (int i = 0; i < 7; i++) {
            k[i] /= sum;
        }
        double[] sq = new double[img.length];
        for (int i = 0; i < img.length; i++) {
            sq[i] = img[i] * img[i];
        }
        double[] mu = separable(img, w, h, k);
        double[] mu2 = separable(sq, w, h, k);
        double[] out = new double[img.length];
        double[] sigma = new double[img.length];
        for (int i = 0; i < img.length; i++) {
            sigma[i] = Math.sqrt(Math.abs(mu2[i] - mu[i] * mu[i]));
            out[i] = (img[i] - mu[i]) / (sigma[i] + 1);
        }
        return new double[][] {out, sigma};
    }

    private static double[] separable(double[] img, int w, int h, double[] k) {
        int r = k.length / 2;
        double[] tmp = new double[img.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int i = -r; i <= r; i++) {
                    s += k[i + r] * img[y * w + Math.min(w - 1, Math.max(0, x + i))];
                }
                tmp[y * w + x] = s;
            }
        }
        double[] out = new double[img.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int i = -r; i <= r; i++) {
                    s += k[i + r] * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x];
                }
                out[y * w + x] = s;
            }
        }
        return out;
    }

    /**
     * The 18 features of one block: GGD shape and variance of the coefficients, then for the products with the
     * neighbour at (0,1), (1,0), (1,1) and (-1,1) (MATLAB circshift within the block) the AGGD shape, mean and left
     * and right variances.
     */
    private static void blockFeatures(double[] m, int w, int x0, int y0, int side, double[] row, int at) {
        double[] b = new double[side * side];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                b[y * side + x] = m[(y0 + y) * w + x0 + x];
            }
        }
        double[] ggd = ggd(b);
        row[at] = ggd[0];
        row[at + 1] = ggd[1];
        int[][] shifts = {{0, 1}, {1, 0}, {1, 1}, {-1, 1}};
        double[] prod = new double[b.length];
        for (int s = 0; s < 4; s++) {
            int dy = shifts[s][0];
            int dx = shifts[s][1];
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    int sy = Math.floorMod(y - dy, side);
                    int sx = Math.floorMod(x - dx, side);
                    prod[y * side + x] = b[y * side + x] * b[sy * side + sx];
                }
            }
            double[] a = aggd(prod);
            System.arraycopy(a, 0, row, at + 2 + 4 * s, 4);
        }
    }

    /** Generalised Gaussian fit by moment matching: {shape, variance}. */
    static double[] ggd(double[] v) {
        double sq = 0;
        double abs = 0;
        for (double x : v) {
            sq += x * x;
            abs += Math.abs(x);
        }
        sq /= v.length;
        abs /= v.length;
        double rho = sq == 0 ? 0 : abs * abs / sq;
        return new double[] {nearestShape(rho), sq};
    }

    /** Asymmetric generalised Gaussian fit: {shape, mean, left variance, right variance}. */
    static double[] aggd(double[] v) {
        double left = 0;
        double right = 0;
        int nl = 0;
        int nr = 0;
        double abs = 0;
        double sq = 0;
        for (double x : v) {
            if (x < 0) {
                left += x * x;
                nl++;
            } else if (x > 0) {
                right += x * x;
                nr++;
            }
            abs += Math.abs(x);
            sq += x * x;
        }
        double ls = nl == 0 ? 0 : Math.sqrt(left / nl);
        double rs = nr == 0 ? 0 : Math.sqrt(right / nr);
        abs /= v.length;
        sq /= v.length;
        double gammaHat = rs == 0 ? 1 : ls / rs;
        double rHat = sq == 0 ? 0 : abs * abs / sq;
        double rNorm = rHat * (Math.pow(gammaHat, 3) + 1) * (gammaHat + 1) / Math.pow(gammaHat * gammaHat + 1, 2);
        double alpha = nearestShape(rNorm);
        double mean = (rs - ls) * Math.exp(Gamma.logGamma(2 / alpha) - Gamma.logGamma(1 / alpha))
                * Math.sqrt(Math.exp(Gamma.logGamma(1 / alpha) - Gamma.logGamma(3 / alpha)));
        return new double[] {alpha, mean, ls * ls, rs * rs};
    }

    /** The shape in 0.2, 0.201, ..., 10 whose ratio Gamma(2/a)^2 / (Gamma(1/a) Gamma(3/a)) is nearest. */
    private static double nearestShape(double ratio) {
        int best = 0;
        for (int i = 1; i < RATIOS.length; i++) {
            if (Math.abs(RATIOS[i] - ratio) < Math.abs(RATIOS[best] - ratio)) {
                best = i;
            }
        }
        return GAMMAS[best];
    }

    private static double[] mean(List<double[]> rows) {
        double[] m = new double[FEATURES];
        for (double[] r : rows) {
            for (int i = 0; i < FEATURES; i++) {
                m[i] += r[i];
            }
        }
        for (int i = 0; i < FEATURES; i++) {
            m[i] /= rows.size();
        }
        return m;
    }

    /** Sample covariance (n - 1), as MATLAB's cov. */
    private static double[] covariance(List<double[]> rows, double[] mean) {
        double[] c = new double[FEATURES * FEATURES];
        for (double[] r : rows) {
            for (int i = 0; i < FEATURES; i++) {
                double di = r[i] - mean[i];
                for (int j = 0; j < FEATURES; j++) {
                    c[i * FEATURES + j] += di * (r[j] - mean[j]);
                }
            }
        }
        for (int i = 0; i < c.length; i++) {
            c[i] /= rows.size() - 1;
        }
        return c;
    }
}
