package org.dnispark.train;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import org.dnispark.config.CommonSettings;
import org.dnispark.config.Redaction;
import org.dnispark.config.SettingsException;
import org.dnispark.config.SettingsReader;
import org.dnispark.provenance.Placement;
import org.dnispark.storage.RunOutput;

/**
 * The {@code dni.train} settings, read and validated once through the settings reader; every problem names its key.
 *
 * @param architecture the denoiser trained ({@code dni.train.architecture} srcnn or dncnn and its block); null when
 *                     a super-resolution network is fine-tuned
 * @param superResolution the super-resolution fine-tuning ({@code architecture} rrdbnet or srvggnet-compact and
 *                     {@code dni.train.super-resolution}); null for denoisers
 * @param data         the photographs and the noise
 * @param schedule     batches, steps, learning rate and the model fine-tuned from
 * @param seed         {@code dni.seed}: initialisation and patch sampling
 * @param run          where the model goes and how the run reports (not what it computes)
 * @param storage      model cache, storage settings and the resolved configuration
 */
public record TrainSettings(DenoiserArchitecture architecture, SuperResolution superResolution, Data data, Schedule schedule, long seed,
        @Placement Run run, @Placement Storage storage) {

    /** The loss a super-resolution network is fine-tuned with. */
    public enum Loss { L1, MSE, GAN }

    /**
     * Super-resolution fine-tuning of the network in {@code init-from} (its architecture detected, and required to be
     * {@code architecture}) on MATLAB-bicubic low-resolution patches of the training photographs.
     *
     * @param architecture            rrdbnet or srvggnet-compact
     * @param loss                    l1 | mse | gan (l1-weight x L1 + adversarial-weight x the generator's GAN loss)
     * @param l1Weight                the L1 term's weight under gan
     * @param adversarialWeight       the adversarial term's weight under gan
     * @param discriminatorFeatures   the discriminator's first-layer filters (it doubles them twice)
     * @param discriminatorLearningRate Adam's learning rate for the discriminator
     */
    public record SuperResolution(String architecture, Loss loss, double l1Weight, double adversarialWeight,
            int discriminatorFeatures, double discriminatorLearningRate) {
    }

    /**
     * The training photographs ({@code images}, {@code exclude}, {@code max-side}, {@code dni.input.extensions}),
     * the noise level ({@code sigma}, 0-255 scale) and the patch side.
     */
    public record Data(List<String> images, List<String> extensions, List<String> exclude, int maxSide, double sigma,
            int patchSize) {
    }

    /** {@code batch-size}, {@code steps}, {@code learning-rate}, {@code learning-rate-drop-at}, {@code init-from}. */
    public record Schedule(int batchSize, long steps, double learningRate, double learningRateDropAt,
            String initFrom) {
        /** The learning rate at a step: the configured one, a tenth of it from the drop point on. */
        public float learningRateAt(long step) {
            return (float) (step < (long) Math.ceil(learningRateDropAt * steps) ? learningRate : learningRate / 10);
        }
    }

    /**
     * {@code output} prefix, {@code dni.output.if-exists}, {@code checkpoint-every}, {@code log-every}, the
     * threads and device (a resumed run may continue on another machine), and {@code dni.debug.check-finite}.
     */
    public record Run(String output, RunOutput.Policy ifExists, long checkpointEvery, long logEvery, int torchThreads,
            String device, boolean checkFinite) {
    }

    /**
     * The model cache ({@code init-from} resolves against it), {@code dni.spark.hadoop}, the configuration, and what
     * the model files read may ask for.
     */
    public record Storage(String modelCache, Map<String, String> hadoop, String renderedConfig,
            org.dnispark.models.ModelPolicy modelPolicy) {
    }

    /** Reads and validates {@code dni.train}. */
    public static TrainSettings from(Config c) {
        try {
            return read(new SettingsReader(c));
        } catch (ConfigException e) {
            throw SettingsReader.wrap(e);
        }
    }

    private static TrainSettings read(SettingsReader r) {
        String p = "dni.train.";
        String arch = r.string(p + "architecture").toLowerCase(Locale.ROOT);
        DenoiserArchitecture architecture = null;
        SuperResolution sr = null;
        try {
            if (arch.equals("rrdbnet") || arch.equals("srvggnet-compact")) {
                String q = p + "super-resolution.";
                Loss loss = r.choice(q + "loss", SettingsReader.choices("l1", Loss.L1, "mse", Loss.MSE, "gan",
                        Loss.GAN));
                double l1 = r.number(q + "l1-weight");
                double adv = r.number(q + "adversarial-weight");
                double dlr = r.number(q + "discriminator.learning-rate");
                if (!(l1 >= 0) || !(adv >= 0) || (loss == Loss.GAN && !(l1 + adv > 0))) {
                    throw new SettingsException(q + "l1-weight and adversarial-weight",
                            "non-negative weights, not both zero", l1 + " and " + adv);
                }
                if (!(dlr > 0)) {
                    throw new SettingsException(q + "discriminator.learning-rate", "a positive number", dlr);
                }
                if (r.string(p + "init-from").isBlank()) {
                    throw new SettingsException(p + "init-from", "the " + arch + " model to fine-tune (super-resolution "
                            + "networks are fine-tuned, not trained from scratch)", "\"\"");
                }
                sr = new SuperResolution(arch, loss, l1, adv, r.intIn(q + "discriminator.features", 1, 1024), dlr);
            } else if (arch.equals("srcnn")) {
                List<Double> k = r.numbers(p + "srcnn.kernels");
                List<Double> f = r.numbers(p + "srcnn.filters");
                if (k.size() != 3 || f.size() != 2) {
                    throw new SettingsException(p + "srcnn", "kernels = [k1, k2, k3] and filters = [f1, f2]",
                            "kernels " + k + ", filters " + f);
                }
                String init = r.choice(p + "srcnn.init", SettingsReader.choices("he", "he", "srcnn", "srcnn"));
                architecture = DenoiserArchitecture.srcnn(whole(k.get(0)), whole(f.get(0)), whole(k.get(1)),
                        whole(f.get(1)), whole(k.get(2)), init.equals("srcnn"));
            } else if (arch.equals("dncnn")) {
                architecture = DenoiserArchitecture.dncnn(r.intIn(p + "dncnn.depth", 1, 1000),
                        r.intIn(p + "dncnn.features", 1, 4096));
            } else {
                throw new SettingsException(p + "architecture", "srcnn, dncnn, rrdbnet or srvggnet-compact", "'" + arch
                        + "'");
            }
        } catch (IllegalArgumentException e) {
            throw e instanceof SettingsException ? e : new SettingsException(p + "architecture: " + e.getMessage());
        }
        List<String> images = r.strings(p + "images");
        if (images.isEmpty()) {
            throw new SettingsException(p + "images", "at least one folder of training photographs", "[]");
        }
        double sigma = r.number(p + "sigma");
        if (!(sigma > 0) || sigma > 255) {
            throw new SettingsException(p + "sigma", "a noise level in (0, 255] on the 0-255 scale", sigma);
        }
        Data data = new Data(images, r.strings("dni.input.extensions"), r.strings(p + "exclude"),
                r.intIn(p + "max-side", 1, 1 << 20), sigma, r.intIn(p + "patch-size", 1, 4096));
        double lr = r.number(p + "learning-rate");
        if (!(lr > 0)) {
            throw new SettingsException(p + "learning-rate", "a positive number", lr);
        }
        double drop = r.number(p + "learning-rate-drop-at");
        if (!(drop > 0) || drop > 1) {
            throw new SettingsException(p + "learning-rate-drop-at", "a fraction of the steps in (0, 1]", drop);
        }
        Schedule schedule = new Schedule(r.intIn(p + "batch-size", 1, 1 << 16), r.longIn(p + "steps", 1,
                Long.MAX_VALUE), lr, drop, r.string(p + "init-from"));
        int threads = r.intIn(p + "torch-threads", 0, 1024);
        Run run = new Run(r.nonBlank(p + "output", "an output URI prefix"), CommonSettings.ifExists(r),
                r.longIn(p + "checkpoint-every", 1, Long.MAX_VALUE), r.longIn(p + "log-every", 1, Long.MAX_VALUE),
                threads > 0 ? threads : Runtime.getRuntime().availableProcessors(),
                r.choice(p + "device", SettingsReader.choices("cpu", "cpu", "gpu", "gpu")),
                r.bool("dni.debug.check-finite"));
        return new TrainSettings(architecture, sr, data, schedule, r.longIn("dni.seed", Long.MIN_VALUE, Long.MAX_VALUE),
                run, new Storage(CommonSettings.modelCache(r), CommonSettings.hadoop(r),
                        Redaction.render(r.config()), CommonSettings.modelPolicy(r)));
    }

    private static int whole(double v) {
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
            throw new SettingsException("dni.train.srcnn", "whole kernel sizes and filter counts", v);
        }
        return (int) v;
    }
}
