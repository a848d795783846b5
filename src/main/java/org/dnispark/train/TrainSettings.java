package org.dnispark.train;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import org.dnispark.config.JobSettings;
import org.dnispark.config.SettingsException;
import org.dnispark.storage.RunOutput;

/** The {@code dni.train} settings, read and validated once; every problem names its key. */
public final class TrainSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public final DenoiserArchitecture architecture;
    public final List<String> images;
    public final List<String> extensions;
    public final List<String> exclude;
    public final int maxSide;
    public final double sigma;
    public final int patchSize;
    public final int batchSize;
    public final long steps;
    public final double learningRate;
    public final double learningRateDropAt;
    public final String initFrom;
    public final long seed;
    public final String output;
    /** What to do with an existing model or an unfinished run's checkpoint. */
    public final RunOutput.Policy ifExists;
    public final long checkpointEvery;
    public final long logEvery;
    public final int torchThreads;
    /** cpu or gpu (GPU 0; needs the CUDA build). */
    public final String device;
    public final String modelCache;
    public final Map<String, String> hadoop;

    private TrainSettings(Config c) {
        String p = "dni.train.";
        String arch = c.getString(p + "architecture").trim().toLowerCase(Locale.ROOT);
        try {
            if (arch.equals("srcnn")) {
                List<Integer> k = c.getIntList(p + "srcnn.kernels");
                List<Integer> f = c.getIntList(p + "srcnn.filters");
                if (k.size() != 3 || f.size() != 2) {
                    throw new SettingsException(p + "srcnn", "kernels = [k1, k2, k3] and filters = [f1, f2]",
                            "kernels " + k + ", filters " + f);
                }
                String init = c.getString(p + "srcnn.init").trim().toLowerCase(Locale.ROOT);
                if (!init.equals("he") && !init.equals("srcnn")) {
                    throw new SettingsException(p + "srcnn.init", "he or srcnn", "'" + init + "'");
                }
                architecture = DenoiserArchitecture.srcnn(k.get(0), f.get(0), k.get(1), f.get(1), k.get(2),
                        init.equals("srcnn"));
            } else if (arch.equals("dncnn")) {
                architecture = DenoiserArchitecture.dncnn(c.getInt(p + "dncnn.depth"), c.getInt(p + "dncnn.features"));
            } else {
                throw new SettingsException(p + "architecture", "srcnn or dncnn", "'" + arch + "'");
            }
        } catch (IllegalArgumentException e) {
            throw e instanceof SettingsException ? e : new SettingsException(p + "architecture: " + e.getMessage());
        }
        images = c.getStringList(p + "images");
        if (images.isEmpty()) {
            throw new SettingsException(p + "images", "at least one folder of training photographs", "[]");
        }
        extensions = c.getStringList("dni.input.extensions");
        exclude = c.getStringList(p + "exclude");
        maxSide = positive(c, p + "max-side");
        sigma = c.getDouble(p + "sigma");
        if (!(sigma > 0) || sigma > 255) {
            throw new SettingsException(p + "sigma", "a noise level in (0, 255] on the 0-255 scale", sigma);
        }
        patchSize = positive(c, p + "patch-size");
        batchSize = positive(c, p + "batch-size");
        steps = c.getLong(p + "steps");
        if (steps < 1) {
            throw new SettingsException(p + "steps", "at least 1", steps);
        }
        learningRate = c.getDouble(p + "learning-rate");
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new SettingsException(p + "learning-rate", "a positive number", learningRate);
        }
        learningRateDropAt = c.getDouble(p + "learning-rate-drop-at");
        if (!(learningRateDropAt > 0) || learningRateDropAt > 1) {
            throw new SettingsException(p + "learning-rate-drop-at", "a fraction of the steps in (0, 1]",
                    learningRateDropAt);
        }
        initFrom = c.getString(p + "init-from").trim();
        seed = c.getLong("dni.seed");
        output = c.getString(p + "output").trim();
        if (output.isEmpty()) {
            throw new SettingsException(p + "output", "an output URI prefix", "an empty string");
        }
        ifExists = JobSettings.ifExists(c);
        checkpointEvery = c.getLong(p + "checkpoint-every");
        logEvery = c.getLong(p + "log-every");
        if (checkpointEvery < 1 || logEvery < 1) {
            throw new SettingsException(p + "checkpoint-every and log-every", "at least 1",
                    checkpointEvery + " and " + logEvery);
        }
        try {
            device = org.dnispark.runtime.Devices.parseKind(c.getString(p + "device"));
        } catch (IllegalArgumentException e) {
            throw new SettingsException(p + "device: " + e.getMessage());
        }
        int threads = c.getInt(p + "torch-threads");
        torchThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        modelCache = JobSettings.modelCache(c);
        hadoop = JobSettings.hadoopSettings(c);
    }

    private static int positive(Config c, String key) {
        int v = c.getInt(key);
        if (v < 1) {
            throw new SettingsException(key, "a positive integer", v);
        }
        return v;
    }

    /** Reads and validates {@code dni.train}; a wrong type becomes a {@link SettingsException} naming the key. */
    public static TrainSettings from(Config c) {
        try {
            return new TrainSettings(c);
        } catch (ConfigException e) {
            throw new SettingsException(e.getMessage());
        }
    }

    /** Learning rate at a step: the configured one, a tenth of it from the drop point on. */
    public float learningRateAt(long step) {
        return (float) (step < (long) Math.ceil(learningRateDropAt * steps) ? learningRate : learningRate / 10);
    }

    /** The settings that determine the result (not where it goes or how often it reports), for the fingerprint. */
    Map<String, Object> identity() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", architecture.describe());
        m.put("images", images);
        m.put("extensions", extensions);
        m.put("exclude", exclude);
        m.put("max_side", maxSide);
        m.put("sigma", sigma);
        m.put("patch_size", patchSize);
        m.put("batch_size", batchSize);
        m.put("steps", steps);
        m.put("learning_rate", learningRate);
        m.put("learning_rate_drop_at", learningRateDropAt);
        m.put("init_from", initFrom);
        m.put("seed", seed);
        return m;
    }
}
