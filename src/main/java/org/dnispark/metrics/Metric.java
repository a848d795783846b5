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

    /**
     * What a metric is, as settings, tables and reports name it.
     *
     * @param name           the name in the settings, for example {@code y}
     * @param column         the column in result tables, for example {@code psnr_y}
     * @param title          how a report titles it, for example {@code PSNR-Y}
     * @param unit           the unit printed beside its values, or empty
     * @param decimals       decimals in tables
     * @param direction      which way a score is better
     * @param needsReference whether it compares an output with a ground truth (else the output alone is scored)
     */
    record Description(String name, String column, String title, String unit, int decimals, Direction direction,
            boolean needsReference) implements Serializable {
    }

    Description description();

    default String name() {
        return description().name();
    }

    default String column() {
        return description().column();
    }

    default String title() {
        return description().title();
    }

    default String unit() {
        return description().unit();
    }

    default int decimals() {
        return description().decimals();
    }

    default Direction direction() {
        return description().direction();
    }

    default boolean needsReference() {
        return description().needsReference();
    }

    /** The refusal of a full-reference metric: the crop border must leave pixels on both axes. */
    static String cropRefusal(int width, int height, int cropBorder) {
        return 2 * cropBorder >= Math.min(width, height) ? "image " + width + "x" + height
                + " is too small for crop-border " + cropBorder : null;
    }

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
