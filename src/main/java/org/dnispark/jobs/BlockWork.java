package org.dnispark.jobs;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;

/**
 * What a job does with each image inside a task's stream ({@link PartitionRunner}): read it, decode it into the
 * network's input, and turn each output into result rows. Implementations are small serialisable values.
 */
interface BlockWork extends Serializable {

    /** The job's own result columns (after image, uri, index, reason). */
    StructType columns();

    /**
     * Reads a task's files and their declared sizes, decoding nothing yet, so that the stream can check the image
     * against the per-task budget before it allocates its pixels.
     */
    default Pending read(ImageTask task, ExecutorPlan plan, Configuration conf) throws IOException {
        return new Pending(task.name(), File.read(task.input(), conf), task.truth() == null ? null
                : File.read(task.truth(), conf));
    }

    /** Decodes (and degrades) a pending image; an IllegalArgumentException rejects it with its message. */
    Item decode(Pending p, ExecutorPlan plan);

    /** Adds the rows for output {@code k} of {@code item}. */
    void accept(Item item, int k, RgbImage output, ExecutorPlan plan, Configuration conf, List<Row> rows)
            throws IOException;

    /** Outputs an image keeps across coefficients (the sweep's region-adaptive levels), for the block budget. */
    default int outputsKept() {
        return 0;
    }

    /**
     * Bytes per ground-truth pixel the job keeps beside an image while it is in a block (the metrics' 8-bit copy and
     * planes), for the block budget.
     */
    default long truthBytesPerPixel() {
        return 0;
    }

    /** After every output of {@code item}: anything that needs them all (a contact strip). */
    default void finish(Item item, ExecutorPlan plan, Configuration conf, List<Row> rows) throws IOException {
    }

    /** One file of a task: its URI, its bytes and the image size its header declares. */
    record File(String uri, byte[] bytes, ImageCodec.Size size) {
        static File read(String uri, Configuration conf) throws IOException {
            byte[] bytes = ExecutorPlan.read(uri, conf);
            return new File(uri, bytes, ImageCodec.probe(bytes, uri));
        }

        RgbImage decode() {
            return ExecutorPlan.decode(bytes, uri);
        }
    }

    /** A task's image (and paired ground truth, else null), read but not decoded. */
    record Pending(String name, File input, File truth) {

        /**
         * About how many bytes the image holds in a block: the decoded input (and ground truth), the network input
         * and the outputs alive at once ({@code outputs}: one for DNI, the models plus the blend for pixel blending),
         * as floats, plus the decoder's own buffers.
         */
        /** Why the image cannot be held in a task's block (its footprint over the budget), or null. */
        String overBudget(ExecutorPlan plan, int outputsHeld, long truthBytesPerPixel) {
            long bytes = footprint(plan.scale(), plan.downscale(), outputsHeld, truthBytesPerPixel);
            long budget = plan.inference.memory().blockBytes();
            if (bytes <= budget) {
                return null;
            }
            return String.format(java.util.Locale.ROOT, "a %dx%d image needs about %d MiB in a task, more than "
                    + "dni.inference.block-bytes = %d MiB (the per-task budget); raise it, and the executor "
                    + "memory, to process it", input.size().width(), input.size().height(), bytes >> 20,
                    budget >> 20);
        }

        long footprint(int scale, int downscale, int outputs, long truthBytesPerPixel) {
            long in = input.size().pixels();
            long network = in / ((long) downscale * downscale);
            long out = network * scale * scale;
            // synthetic mode: the ground truth is the decoded input, the network input its degraded copy
            long gt = truth == null ? (truthBytesPerPixel > 0 ? in : 0) : truth.size().pixels();
            return 12 * (in + (truth == null ? 0 : gt) + network + out * outputs) + 8 * Math.max(in, gt)
                    + truthBytesPerPixel * gt;
        }
    }

    /**
     * A decoded image in a block: its name and URI, the network input, the ground truth (sweeps) and a place for what
     * the job collects across outputs (the transition's thumbnails).
     */
    final class Item {
        final String name;
        final String uri;
        final RgbImage input;
        final RgbImage truth;
        final List<RgbImage> collected = new java.util.ArrayList<>();
        /** The transition's animation frames, as uint8 RGB (a quarter of a float image's memory). */
        final List<RgbImage.Uint8> animated = new java.util.ArrayList<>();
        final List<Row> rows = new java.util.ArrayList<>();
        /** The sweep's ground truth quantised once, with the planes its metrics keep (null before its first score). */
        org.dnispark.metrics.Quantised reference;
        /** The sweep's noise estimate of the input, computed at its first output (NaN before). */
        double inputNoise = Double.NaN;

        Item(String name, String uri, RgbImage input, RgbImage truth) {
            this.name = name;
            this.uri = uri;
            this.input = input;
            this.truth = truth;
        }
    }
}
