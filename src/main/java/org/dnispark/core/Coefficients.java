package org.dnispark.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Interpolation coefficient vectors (paper Eq. 2: {@code theta = sum_i a_i * theta_i}).
 *
 * <p>The project's one alpha convention: for two models listed {@code [A, B]}, alpha is the weight of the
 * <em>last</em> model, {@code theta = (1 - alpha) * A + alpha * B}, so alpha = 0 gives A and alpha = 1 gives B.
 * (The paper's Eq. 1 writes {@code alpha * A + (1 - alpha) * B}; its alpha is {@code 1 - ours}.)
 */
public final class Coefficients {
    /** Tolerance on {@code sum a_i = 1}. */
    public static final double SUM_TOLERANCE = 1e-6;

    private Coefficients() {
    }

    /** The coefficient vector {@code [1 - alpha, alpha]} for two models. */
    public static double[] forAlpha(double alpha) {
        return new double[] {1.0 - alpha, alpha};
    }

    /**
     * Checks a coefficient vector for {@code modelCount} models: finite, summing to 1 within
     * {@link #SUM_TOLERANCE}, and non-negative unless extrapolation is allowed.
     */
    public static void validate(double[] coefficients, int modelCount, boolean allowExtrapolation) {
        if (coefficients == null || coefficients.length != modelCount) {
            throw new IllegalArgumentException("coefficient vector " + Arrays.toString(coefficients) + " has "
                    + (coefficients == null ? 0 : coefficients.length) + " entries; expected one per model ("
                    + modelCount + ")");
        }
        double sum = 0;
        for (int i = 0; i < coefficients.length; i++) {
            double c = coefficients[i];
            if (!Double.isFinite(c)) {
                throw new IllegalArgumentException("coefficient " + i + " of " + Arrays.toString(coefficients)
                        + " is " + c + "; expected a finite number");
            }
            if (c < 0 && !allowExtrapolation) {
                throw new IllegalArgumentException("coefficient " + i + " of " + Arrays.toString(coefficients)
                        + " is negative; expected >= 0 (set dni.interpolation.allow-extrapolation = true to "
                        + "extrapolate)");
            }
            sum += c;
        }
        if (Math.abs(sum - 1.0) > SUM_TOLERANCE) {
            throw new IllegalArgumentException("coefficients " + Arrays.toString(coefficients) + " sum to " + sum
                    + "; expected 1 (within " + SUM_TOLERANCE + ")");
        }
    }

    /** Alphas {@code start, start + step, ..., end}, with floating-point drift rounded away (0.15, not 0.15000000000000002). */
    public static List<Double> grid(double start, double end, double step) {
        if (!(step > 0) || !Double.isFinite(step) || !Double.isFinite(start) || !Double.isFinite(end) || end < start) {
            throw new IllegalArgumentException("alpha grid start=" + start + " end=" + end + " step=" + step
                    + ": expected finite start <= end and step > 0");
        }
        long n = Math.round(Math.floor((end - start) / step + 1e-9)) + 1;
        List<Double> out = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            out.add(Math.round((start + i * step) * 1e12) / 1e12);
        }
        return out;
    }
}
