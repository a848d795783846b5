package org.dnispark.jobs;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;

import org.dnispark.core.ModelWeights;
import org.dnispark.image.DegradationStep;
import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.Devices;
import org.dnispark.runtime.Engines;
import org.dnispark.runtime.TiledPredictor;
import org.dnispark.storage.Storage;

/**
 * Everything an executor needs for one job, as plain serialisable values: the network spec, one broadcast of
 * interpolated weights per coefficient vector (built once on the driver), tiling, degradation and storage settings.
 */
final class ExecutorPlan implements Serializable {
    private static final long serialVersionUID = 1L;

    final NetworkSpec network;
    final List<Broadcast<ModelWeights>> weights;
    final List<String> labels;
    final List<Double> positions;
    final int scale;
    final int tileSize;
    final int torchThreads;
    final String device;
    final int batchSize;
    final boolean reflectPadding;
    final List<DegradationStep> degradation;
    final long seed;
    final Map<String, String> hadoop;
    final String stagingUri;
    /** Whether finished images are checkpointed for a later resume (output policy resume). */
    final boolean checkpoint;
    /**
     * Pixel interpolation baseline (paper Fig. 5): the coefficient vectors, with {@link #weights} holding the source
     * models themselves; null for DNI, where {@link #weights} holds one interpolated set per vector.
     */
    final List<double[]> pixelCoefficients;

    ExecutorPlan(NetworkSpec network, List<Broadcast<ModelWeights>> weights, List<String> labels, List<Double> positions,
            int scale, int tileSize, int torchThreads, String device, int batchSize, boolean reflectPadding,
            List<DegradationStep> degradation, long seed,
            Map<String, String> hadoop, String stagingUri, boolean checkpoint, List<double[]> pixelCoefficients) {
        this.network = network;
        this.weights = weights;
        this.labels = labels;
        this.positions = positions;
        this.scale = scale;
        this.tileSize = tileSize;
        this.torchThreads = torchThreads;
        this.device = device;
        this.batchSize = batchSize;
        this.reflectPadding = reflectPadding;
        this.degradation = degradation;
        this.seed = seed;
        this.hadoop = hadoop;
        this.stagingUri = stagingUri;
        this.checkpoint = checkpoint;
        this.pixelCoefficients = pixelCoefficients;
    }

    /** Receives the output for coefficient vector {@code k} and input {@code i}. */
    interface OutputConsumer {
        void accept(int k, int i, RgbImage output) throws IOException;
    }

    /** The number of coefficient vectors (outputs per image). */
    int coefficientCount() {
        return pixelCoefficients != null ? pixelCoefficients.size() : weights.size();
    }

    /**
     * Runs every input at every coefficient vector through one predictor for the partition. DNI swaps in each
     * vector's interpolated weights; the pixel baseline runs each source model once and blends the output images.
     */
    void forEachOutput(List<RgbImage> inputs, OutputConsumer consumer) throws IOException {
        try (TiledPredictor predictor = newPredictor()) {
            if (pixelCoefficients == null) {
                for (int k = 0; k < weights.size(); k++) {
                    predictor.setWeights(weights.get(k).value());
                    for (int i = 0; i < inputs.size(); i++) {
                        consumer.accept(k, i, predictor.run(inputs.get(i)));
                    }
                }
                return;
            }
            List<List<RgbImage>> perModel = new java.util.ArrayList<>();
            for (Broadcast<ModelWeights> model : weights) {
                predictor.setWeights(model.value());
                List<RgbImage> outs = new java.util.ArrayList<>();
                for (RgbImage in : inputs) {
                    outs.add(predictor.run(in));
                }
                perModel.add(outs);
            }
            for (int k = 0; k < pixelCoefficients.size(); k++) {
                for (int i = 0; i < inputs.size(); i++) {
                    consumer.accept(k, i, blend(perModel, i, pixelCoefficients.get(k)));
                }
            }
        }
    }

    /** {@code sum_m c_m * output_m}, pixel by pixel, in double precision. */
    static RgbImage blend(List<List<RgbImage>> perModel, int i, double[] c) {
        RgbImage first = perModel.get(0).get(i);
        float[] out = new float[first.data().length];
        for (int j = 0; j < out.length; j++) {
            double acc = 0;
            for (int m = 0; m < c.length; m++) {
                if (c[m] != 0) {
                    acc += c[m] * perModel.get(m).get(i).data()[j];
                }
            }
            out[j] = (float) acc;
        }
        return new RgbImage(first.width(), first.height(), out);
    }

    /** A predictor for this partition; the caller closes it when the partition is done. */
    TiledPredictor newPredictor() {
        Engines.configure(torchThreads);
        String[] gpus = null;
        TaskContext task = TaskContext.get();
        if (task != null && task.resourcesJMap().containsKey("gpu")) {
            gpus = task.resourcesJMap().get("gpu").addresses();
        }
        return new TiledPredictor(network, tileSize, batchSize, Devices.forTask(device, gpus), reflectPadding);
    }

    Configuration hadoopConf() {
        return Storage.configuration(hadoop);
    }

    RgbImage decode(String uri, Configuration conf) throws IOException {
        return ImageCodec.decode(Storage.readAll(uri, conf), uri);
    }

    /** Model input for an image: cropped to a multiple of the scale when degrading, then degraded. */
    RgbImage degrade(RgbImage clean, String name) {
        if (degradation.isEmpty()) {
            return clean;
        }
        return DegradationStep.applyAll(degradation, clean, scale, seed, name);
    }

    String output(String relative) {
        return stagingUri + "/" + relative;
    }
}
