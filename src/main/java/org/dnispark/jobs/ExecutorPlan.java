package org.dnispark.jobs;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.util.LongAccumulator;

import org.dnispark.config.InferenceSettings;
import org.dnispark.core.CoefficientPlan;
import org.dnispark.image.DegradationStep;
import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;
import org.dnispark.runtime.Engines;
import org.dnispark.runtime.NetworkSpec;
import org.dnispark.runtime.TiledPredictor;
import org.dnispark.storage.Storage;

/**
 * Everything a task needs, as one small serialisable value: the network, where its weights come from (broadcast
 * handles, not the weights), the coefficients, inference and memory settings, the degradation, storage settings,
 * the staging folder and progress counters. Built by {@link #builder()}, which refuses an incomplete plan.
 */
final class ExecutorPlan implements Serializable {
    final NetworkSpec network;
    final WeightSource weights;
    final CoefficientPlan coefficients;
    /** The pixel baseline: run each source model and blend the outputs, instead of interpolating the networks. */
    final boolean pixel;
    final InferenceSettings inference;
    final List<DegradationStep> degradation;
    final long seed;
    final Map<String, String> hadoop;
    final String staging;
    /** The run's fingerprint when finished images are checkpointed for a resume, else null. */
    final String checkpoint;
    final Progress progress;
    /** Identifies the run, so that tasks of one run share pooled predictors and no other run does. */
    final String runKey;

    private ExecutorPlan(Builder b) {
        this.network = b.network;
        this.weights = b.weights;
        this.coefficients = b.coefficients;
        this.pixel = b.pixel;
        this.inference = b.inference;
        this.degradation = List.copyOf(b.degradation);
        this.seed = b.seed;
        this.hadoop = Map.copyOf(b.hadoop);
        this.staging = b.staging;
        this.checkpoint = b.checkpoint;
        this.progress = b.progress;
        this.runKey = b.staging;
    }

    static Builder builder() {
        return new Builder();
    }

    /**
     * Counters tasks add to as they go (the driver reads them from executor heartbeats): images and inferences done,
     * and the task time spent reading and decoding images, swapping weights in, running the network and writing
     * outputs (scoring or encoding), in nanoseconds.
     */
    record Progress(LongAccumulator images, LongAccumulator inferences, LongAccumulator decodeNanos,
            LongAccumulator weightNanos, LongAccumulator forwardNanos, LongAccumulator outputNanos,
            LongAccumulator warmupNanos, LongAccumulator warmupInferences, LongAccumulator predictorsCreated)
            implements Serializable {
        static Progress register(org.apache.spark.SparkContext sc) {
            return new Progress(sc.longAccumulator("dni images"), sc.longAccumulator("dni inferences"),
                    sc.longAccumulator("dni decode ns"), sc.longAccumulator("dni weights ns"),
                    sc.longAccumulator("dni forward ns"), sc.longAccumulator("dni outputs ns"),
                    sc.longAccumulator("dni warm-up ns"), sc.longAccumulator("dni warm-up inferences"),
                    sc.longAccumulator("dni predictors created"));
        }

        /** Task time by phase, in milliseconds summed over tasks, for the manifest. */
        java.util.Map<String, Object> taskTime() {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("read_decode_ms", decodeNanos.value() / 1_000_000);
            m.put("weights_ms", weightNanos.value() / 1_000_000);
            m.put("forward_ms", forwardNanos.value() / 1_000_000);
            m.put("outputs_ms", outputNanos.value() / 1_000_000);
            // apart from the steady state: each new predictor's first inferences, whole (building it, reading its
            // first block, its first weights, its first forward pass and that pass's outputs: engine load, the
            // network's first allocations, JIT)
            m.put("warmup_ms", warmupNanos.value() / 1_000_000);
            m.put("warmup_inferences", warmupInferences.value());
            m.put("predictors_created", predictorsCreated.value());
            return m;
        }
    }

    /** Collects a plan's parts ({@code setX} required, {@code optX} optional), then {@link #build()} checks them. */
    static final class Builder {
        private NetworkSpec network;
        private WeightSource weights;
        private CoefficientPlan coefficients;
        private boolean pixel;
        private InferenceSettings inference;
        private List<DegradationStep> degradation = List.of();
        private long seed;
        private Map<String, String> hadoop = Map.of();
        private String staging;
        private String checkpoint;
        private Progress progress;

        Builder setNetwork(NetworkSpec network) {
            this.network = network;
            return this;
        }

        Builder setWeights(WeightSource weights, boolean pixel) {
            this.weights = weights;
            this.pixel = pixel;
            return this;
        }

        Builder setCoefficients(CoefficientPlan coefficients) {
            this.coefficients = coefficients;
            return this;
        }

        Builder setInference(InferenceSettings inference) {
            this.inference = inference;
            return this;
        }

        Builder setStaging(String staging) {
            this.staging = staging;
            return this;
        }

        Builder optDegradation(List<DegradationStep> degradation, long seed) {
            this.degradation = degradation;
            this.seed = seed;
            return this;
        }

        Builder optHadoop(Map<String, String> hadoop) {
            this.hadoop = hadoop;
            return this;
        }

        Builder optCheckpoint(String fingerprint) {
            this.checkpoint = fingerprint;
            return this;
        }

        Builder optProgress(Progress progress) {
            this.progress = progress;
            return this;
        }

        ExecutorPlan build() {
            Objects.requireNonNull(network, "an executor plan needs its network");
            Objects.requireNonNull(weights, "an executor plan needs its weights");
            Objects.requireNonNull(coefficients, "an executor plan needs its coefficients");
            Objects.requireNonNull(inference, "an executor plan needs its inference settings");
            Objects.requireNonNull(staging, "an executor plan needs the run's staging folder");
            if (pixel && coefficients.get(0).vector().length != weights.sources()) {
                throw new IllegalStateException("pixel blending of " + weights.sources() + " models with vectors of "
                        + coefficients.get(0).vector().length + " weights");
            }
            return new ExecutorPlan(this);
        }
    }

    int scale() {
        return network.geometry().scale();
    }

    /** The GPU addresses Spark's resource scheduler assigned this task (none in local mode or on the CPU). */
    static String[] gpus() {
        TaskContext task = TaskContext.get();
        if (task != null && task.resourcesJMap().containsKey("gpu")) {
            return task.resourcesJMap().get("gpu").addresses();
        }
        return new String[0];
    }

    /** A predictor on the task's device; the caller closes it (or returns it to the pool) when done. */
    TiledPredictor newPredictor(String[] gpus) {
        Engines.configure(inference.torchThreads());
        org.dnispark.runtime.FiniteCheck.enable(inference.checkFinite());
        return TiledPredictor.onDevice(network, inference.tileSize(), inference.batchSize(), inference.device(), gpus,
                inference.padding().reflect());
    }

    Configuration hadoopConf() {
        return Storage.configuration(hadoop);
    }

    static RgbImage decode(byte[] bytes, String uri) {
        return ImageCodec.decode(bytes, uri);
    }

    /** Model input for a clean image: cropped to a multiple of the scale, then degraded (seeded by its name). */
    RgbImage degrade(RgbImage clean, String name) {
        if (degradation.isEmpty()) {
            return clean;
        }
        return DegradationStep.applyAll(degradation, clean.modCrop(scale()), scale(), seed, name);
    }

    /** The total down-scale factor of the degradation chain (1 without bicubic-down steps). */
    int downscale() {
        int f = 1;
        for (DegradationStep s : degradation) {
            if (s.kind() == DegradationStep.Kind.BICUBIC_DOWN) {
                f *= s.value() == 0 ? scale() : (int) s.value();
            }
        }
        return f;
    }

    String output(String relative) {
        return staging + "/" + relative;
    }

    static byte[] read(String uri, Configuration conf) throws IOException {
        return Storage.readAll(uri, conf);
    }
}
