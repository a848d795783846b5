package org.dnispark.metrics;

import java.io.Serializable;
import java.util.List;

import org.dnispark.image.RgbImage;

/**
 * One image-quality measure, as every consumer of scores needs it: its name in the settings ({@code dni.sweep.metric},
 * {@code dni.sweep.metrics}), its column in result tables, how reports title and print it, which way is better, and
 * whether it compares with a ground truth. Implementations are small serialisable values that executors carry;
 * {@link MetricRegistry} lists them.
 *
 * <p>Scoring takes images quantised once ({@link Quantised}); a metric that needs something fitted on the driver
 * first (NIQE's natural-scene model) gets it in {@link #bind}.
 */
public interface Metric extends Serializable {

    /** Which way a score is better. */
    enum Direction {
        HIGHER, LOWER;

        /** Whether {@code a} is strictly better than {@code b}. */
        public boolean better(double a, double b) {
            return this == HIGHER ? a > b : a < b;
        }

        public String word() {
            return this == HIGHER ? "higher" : "lower";
        }
    }

    /** What a run offers metrics that fit something on the driver before scoring. */
    interface Fitting {
        /** The pristine photographs the run names ({@code dni.niqe.pristine}), decoded on first call. */
        List<RgbImage> pristine();
    }

    /** The name in the settings, for example {@code y}. */
    String name();

    /** The column in result tables, for example {@code psnr_y}. */
    String column();

    /** How a report titles it, for example {@code PSNR-Y}. */
    String title();

    /** The unit printed beside its values, or empty. */
    String unit();

    /** Decimals in tables. */
    int decimals();

    Direction direction();

    /** Whether it compares an output with a ground truth (else the output alone is scored). */
    boolean needsReference();

    /** Whether {@link #bind} fits something on the run's pristine photographs (the run must then name some). */
    default boolean fitsOnPristine() {
        return false;
    }

    /**
     * Bytes per ground-truth pixel this metric keeps beside the image's 8-bit copy while the image is in a block (its
     * planes of the reference, see {@link Quantised}), for the block budget.
     */
    default long referenceBytesPerPixel() {
        return 0;
    }

    /**
     * The metric ready to score, with whatever it fits on the driver bound into it (once per run, before any task);
     * most metrics need nothing and return themselves.
     */
    default Metric bind(Fitting fitting) {
        return this;
    }

    /**
     * Why an image of this size (ground truth and output, before the crop border) cannot be scored, or null. Jobs ask
     * before inference, so that such an image is rejected with this reason instead of failing its task.
     */
    default String refusal(int width, int height, int cropBorder) {
        return null;
    }

    /** The score of {@code output} (against {@code reference}, null for a no-reference metric). */
    double score(Quantised output, Quantised reference, int cropBorder);

    /** A value as tables print it: {@link #decimals()} decimals, or {@code inf}. */
    default String format(double value) {
        return Double.isInfinite(value) ? (value > 0 ? "inf" : "-inf")
                : String.format(java.util.Locale.ROOT, "%." + decimals() + "f", value);
    }
}
