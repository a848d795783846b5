package org.dnispark.jobs;

import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import org.dnispark.config.SweepSettings;
import org.dnispark.image.ImageCodec;
import org.dnispark.image.RegionAlpha;
import org.dnispark.image.RgbImage;
import org.dnispark.metrics.Metric;
import org.dnispark.metrics.NoiseEstimate;
import org.dnispark.metrics.Quantised;
import org.dnispark.storage.Storage;

/**
 * Scores every output by each metric (against the image's ground truth, quantised once per image; the output
 * quantised once for every metric), with the noise its input shows; with region-adaptive alpha, also the
 * composite of the levels' outputs (a row with index one past the last coefficient).
 */
record SweepScores(int crop, List<Metric> metrics, SweepSettings.Adaptive adaptive, List<String> frames)
        implements BlockWork {

    @Override
    public StructType columns() {
        StructType t = new StructType();
        for (Metric m : metrics) {
            t = t.add(m.column(), DataTypes.DoubleType);
        }
        return t.add(SweepJob.NOISE, DataTypes.DoubleType);
    }

    @Override
    public int outputsKept() {
        return adaptive == null ? 0 : adaptive.levels().size() + 1;
    }

    @Override
    public long truthBytesPerPixel() {
        return MetricBinding.referenceBytesPerPixel(metrics);
    }

    @Override
    public Item decode(Pending p, ExecutorPlan plan) {
        RgbImage input;
        RgbImage truth;
        if (p.truth() == null) {
            truth = p.input().decode().modCrop(plan.scale());
            input = plan.degrade(truth, p.name());
        } else {
            input = p.input().decode();
            truth = p.truth().decode();
            if (truth.width() != input.width() * plan.scale() || truth.height() != input.height() * plan.scale()) {
                throw new IllegalArgumentException("ground truth " + truth.width() + "x" + truth.height()
                        + " is not " + plan.scale() + "x the input " + input.width() + "x" + input.height());
            }
        }
        for (Metric m : metrics) {
            String refusal = m.refusal(truth.width(), truth.height(), crop);
            if (refusal != null) {
                throw new IllegalArgumentException(refusal);
            }
        }
        return new Item(p.name(), p.input().uri(), input, truth);
    }

    @Override
    public void accept(Item item, int k, RgbImage output, ExecutorPlan plan, Configuration conf, List<Row> rows)
            throws java.io.IOException {
        if (Double.isNaN(item.inputNoise)) {
            item.inputNoise = NoiseEstimate.sigma(item.input);
        }
        rows.add(score(item, k, output));
        if (frames.contains(item.name) || frames.contains("*")) {
            Storage.writeAtomically(plan.output("frames/" + item.name + "/" + ImageJob.frameName(k,
                    plan.coefficients.get(k).label())), ImageCodec.encodePng(output), conf);
        }
        if (adaptive != null) {
            if (adaptive.levelIndices().contains(k)) {
                item.collected.add(output);
            }
            if (adaptive.frames().contains(item.name)) {
                Storage.writeAtomically(plan.output(SweepJob.framesOf(item.name) + "/" + ImageJob.frameName(k,
                        plan.coefficients.get(k).label())), ImageCodec.encodePng(output), conf);
            }
        }
    }

    /** Every metric of one output: the output quantised once, the ground truth once per image. */
    private Row score(Item item, int k, RgbImage output) {
        if (item.reference == null) {
            item.reference = Quantised.of(item.truth);
        }
        Quantised out = Quantised.of(output);
        Object[] values = new Object[metrics.size() + 1];
        for (int m = 0; m < metrics.size(); m++) {
            values[m] = metrics.get(m).score(out, item.reference, crop);
        }
        values[metrics.size()] = item.inputNoise;
        return Outcomes.accepted(Outcomes.schema(columns()), item.name, item.uri, k, values);
    }

    @Override
    public void finish(Item item, ExecutorPlan plan, Configuration conf, List<Row> rows) throws java.io.IOException {
        if (adaptive == null) {
            return;
        }
        float[] map = RegionAlpha.map(item.input, adaptive.smoothing(), adaptive.flat(), adaptive.textured(),
                adaptive.levelArray());
        RgbImage composite = RegionAlpha.composite(item.collected.toArray(RgbImage[]::new),
                adaptive.levelArray(), map, item.input.width(), plan.scale());
        item.collected.clear();
        rows.add(score(item, plan.coefficients.size(), composite));
        if (adaptive.frames().contains(item.name)) {
            String dir = SweepJob.framesOf(item.name);
            Storage.writeAtomically(plan.output(dir + "/input.png"), ImageCodec.encodePng(item.input), conf);
            Storage.writeAtomically(plan.output(dir + "/alpha-map.png"), ImageCodec.encodePng(
                    RegionAlpha.picture(map, item.input.width(), item.input.height())), conf);
            Storage.writeAtomically(plan.output(dir + "/region-adaptive.png"), ImageCodec.encodePng(composite),
                    conf);
        }
    }
}
