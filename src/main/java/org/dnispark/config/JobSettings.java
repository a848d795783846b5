package org.dnispark.config;

import java.io.Serializable;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import org.dnispark.core.Coefficients;
import org.dnispark.core.IntegerBufferRule;
import org.dnispark.core.Interpolation;
import org.dnispark.image.DegradationStep;

/**
 * The validated, immutable settings of one job run, built once on the driver from the resolved configuration.
 * Every problem is reported with its key and the expected value before Spark starts.
 */
public final class JobSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Which job the settings are for; it selects the {@code dni.transition} or {@code dni.sweep} block. */
    public enum Job {
        TRANSITION, SWEEP;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }


    public final Job job;
    public final List<String> models;
    /** Local folder of the model cache (the default resolved). */
    public final String modelCache;
    public final List<double[]> coefficients;
    /** Display label of each coefficient vector ("0.35" for an alpha, "0.2/0.3/0.5" for a vector). */
    public final List<String> coefficientLabels;
    /** The alpha of each vector for two models, NaN otherwise. */
    public final List<Double> alphas;
    public final boolean allowExtrapolation;
    public final IntegerBufferRule integerRule;
    public final String images;
    public final List<String> extensions;
    public final List<DegradationStep> degradation;
    public final long seed;
    public final int tileSize;
    public final int torchThreads;
    /** cpu or gpu. */
    public final String device;
    public final int batchSize;
    /** Border padding: true for reflect, false for replicate. */
    public final boolean reflectPadding;
    public final String output;
    public final org.dnispark.storage.RunOutput.Policy ifExists;
    public final int stripHeight;
    /** The pixel interpolation baseline instead of DNI: blend the source models' output images. */
    public final boolean pixelBlend;
    public final String groundTruth;
    public final int cropBorder;
    public final boolean metricIsY;
    public final String sparkMaster;
    public final String appName;
    public final int partitions;
    public final Map<String, String> sparkConf;
    public final Map<String, String> hadoopConf;
    /** The resolved {@code dni} tree as JSON, secrets redacted, for the provenance manifest. */
    public final String renderedConfig;

    private JobSettings(Job job, Config c) {
        this.job = job;
        String jk = "dni." + job.key();
        this.models = stringList(c, "dni.models");
        if (models.size() < 2) {
            throw new SettingsException("dni.models", "at least two model paths", models);
        }
        this.modelCache = modelCache(c);
        this.allowExtrapolation = bool(c, "dni.interpolation.allow-extrapolation");
        this.integerRule = parse("dni.interpolation.integer-buffers", c,
                s -> IntegerBufferRule.parse(s), "largest-coefficient, require-equal or round");
        List<double[]> vectors = new ArrayList<>();
        List<Double> alphaList = new ArrayList<>();
        buildCoefficients(c, jk, vectors, alphaList);
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < vectors.size(); i++) {
            double[] v = vectors.get(i);
            try {
                Coefficients.validate(v, models.size(), allowExtrapolation);
            } catch (IllegalArgumentException e) {
                throw new SettingsException(jk + " coefficients: " + e.getMessage());
            }
            labels.add(Double.isNaN(alphaList.get(i)) ? vectorLabel(v) : fmt(alphaList.get(i)));
        }
        this.coefficients = Collections.unmodifiableList(vectors);
        this.alphas = Collections.unmodifiableList(alphaList);
        this.coefficientLabels = Collections.unmodifiableList(labels);
        this.images = nonBlank(c, "dni.input.images", "a folder URI of input images");
        List<String> ext = new ArrayList<>();
        for (String e : stringList(c, "dni.input.extensions")) {
            ext.add(e.toLowerCase(Locale.ROOT).replaceFirst("^\\.", ""));
        }
        this.extensions = List.copyOf(ext);
        this.degradation = degradationSteps(c);
        this.seed = number(c, "dni.seed").longValue();
        this.tileSize = intIn(c, "dni.inference.tile-size", 16, 8192);
        this.torchThreads = intIn(c, "dni.inference.torch-threads", 1, 256);
        this.device = parse("dni.inference.device", c, org.dnispark.runtime.Devices::parseKind, "cpu or gpu");
        this.batchSize = intIn(c, "dni.inference.batch-size", 1, 4096);
        String padding = c.getString("dni.inference.padding");
        if (!padding.equals("replicate") && !padding.equals("reflect")) {
            throw new SettingsException("dni.inference.padding", "replicate or reflect", "'" + padding + "'");
        }
        this.reflectPadding = padding.equals("reflect");
        this.ifExists = ifExists(c);
        this.output = nonBlank(c, jk + ".output", "an output folder URI");
        this.stripHeight = job == Job.TRANSITION ? intIn(c, jk + ".strip-height", 16, 4096) : 0;
        String method = c.getString(jk + ".method");
        if (!method.equals("dni") && !method.equals("pixel")) {
            throw new SettingsException(jk + ".method", "dni or pixel", "'" + method + "'");
        }
        this.pixelBlend = method.equals("pixel");
        if (job == Job.SWEEP) {
            this.groundTruth = c.getString(jk + ".ground-truth").trim();
            this.cropBorder = intIn(c, jk + ".crop-border", -1, 1024);
            String metric = c.getString(jk + ".metric");
            if (!metric.equals("y") && !metric.equals("rgb")) {
                throw new SettingsException(jk + ".metric", "y or rgb", "'" + metric + "'");
            }
            this.metricIsY = metric.equals("y");
            if (groundTruth.isEmpty() && degradation.isEmpty()) {
                throw new SettingsException("dni.degradation: the sweep's synthetic mode (no " + jk
                        + ".ground-truth) needs at least one degradation step, else inputs equal the ground truth");
            }
        } else {
            this.groundTruth = "";
            this.cropBorder = 0;
            this.metricIsY = true;
        }
        this.sparkMaster = nonBlank(c, "dni.spark.master", "a Spark master URL such as local[*]");
        this.appName = nonBlank(c, "dni.spark.app-name", "an application name");
        this.partitions = intIn(c, "dni.spark.partitions", 0, 1_000_000);
        this.sparkConf = flatStrings(c, "dni.spark.conf");
        this.hadoopConf = hadoopSettings(c);
        this.renderedConfig = redact(c.getConfig("dni")).root().render(ConfigRenderOptions.concise().setFormatted(true));
    }

    public static JobSettings from(Config resolved, Job job) {
        try {
            return new JobSettings(job, resolved);
        } catch (ConfigException e) {
            throw new SettingsException(e.getMessage());
        }
    }

    private void buildCoefficients(Config c, String jk, List<double[]> vectors, List<Double> alphaList) {
        List<List<Double>> explicit = new ArrayList<>();
        try {
            for (List<? extends Number> row : numberLists(c, jk + ".coefficients")) {
                List<Double> r = new ArrayList<>();
                row.forEach(n -> r.add(n.doubleValue()));
                explicit.add(r);
            }
        } catch (ConfigException.WrongType e) {
            throw new SettingsException(jk + ".coefficients", "a list of number lists such as [[0.5, 0.5]]",
                    c.getValue(jk + ".coefficients").render());
        }
        double pathStep = number(c, jk + ".path-step").doubleValue();
        if (!explicit.isEmpty()) {
            for (List<Double> r : explicit) {
                vectors.add(r.stream().mapToDouble(Double::doubleValue).toArray());
                alphaList.add(models.size() == 2 && r.size() == 2 ? r.get(1) : Double.NaN);
            }
            return;
        }
        if (pathStep > 0) {
            if (pathStep > 1) {
                throw new SettingsException(jk + ".path-step", "a step in (0, 1]", pathStep);
            }
            for (int seg = 0; seg + 1 < models.size(); seg++) {
                for (double t : Coefficients.grid(0, 1, pathStep)) {
                    if (seg > 0 && t == 0) {
                        continue; // the segment start is the previous segment's end
                    }
                    double[] v = new double[models.size()];
                    v[seg] = 1 - t;
                    v[seg + 1] = t;
                    vectors.add(v);
                    alphaList.add(models.size() == 2 ? t : Double.NaN);
                }
            }
            return;
        }
        if (models.size() != 2) {
            throw new SettingsException(jk + ".coefficients: " + models.size() + " models need explicit coefficient "
                    + "vectors (one weight per model) or " + jk + ".path-step > 0; alphas apply to two models only");
        }
        List<Double> alphaValues = new ArrayList<>();
        for (Number n : numberList(c, jk + ".alphas")) {
            alphaValues.add(n.doubleValue());
        }
        if (alphaValues.isEmpty()) {
            double start = number(c, jk + ".alpha-grid.start").doubleValue();
            double end = number(c, jk + ".alpha-grid.end").doubleValue();
            double step = number(c, jk + ".alpha-grid.step").doubleValue();
            try {
                alphaValues = Coefficients.grid(start, end, step);
            } catch (IllegalArgumentException e) {
                throw new SettingsException(jk + ".alpha-grid", "finite start <= end and step > 0",
                        "start=" + start + " end=" + end + " step=" + step);
            }
        }
        for (double a : alphaValues) {
            if (!Double.isFinite(a) || (!allowExtrapolation && (a < 0 || a > 1))) {
                throw new SettingsException(jk + ".alphas", "finite values in [0, 1] (or "
                        + "dni.interpolation.allow-extrapolation = true)", a);
            }
            vectors.add(Coefficients.forAlpha(a));
            alphaList.add(a);
        }
    }

    private static List<DegradationStep> degradationSteps(Config c) {
        List<DegradationStep> steps = new ArrayList<>();
        List<? extends ConfigObject> list;
        try {
            list = c.getObjectList("dni.degradation");
        } catch (ConfigException.WrongType e) {
            throw new SettingsException("dni.degradation", "a list of steps such as [{type = jpeg, quality = 50}]",
                    c.getValue("dni.degradation").render());
        }
        for (int i = 0; i < list.size(); i++) {
            Config step = list.get(i).toConfig();
            String key = "dni.degradation[" + i + "]";
            if (!step.hasPath("type")) {
                throw new SettingsException(key + ".type", "bicubic-down, jpeg or gaussian-noise", "nothing");
            }
            try {
                DegradationStep.Kind kind = DegradationStep.Kind.parse(step.getString("type"));
                switch (kind) {
                    case BICUBIC_DOWN:
                        onlyKeys(step, key, "type", "factor");
                        steps.add(DegradationStep.bicubicDown(step.hasPath("factor") ? step.getInt("factor") : 0));
                        break;
                    case JPEG:
                        onlyKeys(step, key, "type", "quality");
                        steps.add(DegradationStep.jpeg(step.getInt("quality")));
                        break;
                    default:
                        onlyKeys(step, key, "type", "sigma", "clip");
                        steps.add(DegradationStep.gaussianNoise(step.getDouble("sigma"),
                                step.hasPath("clip") && step.getBoolean("clip")));
                }
            } catch (ConfigException e) {
                throw new SettingsException(key + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new SettingsException(key + ": " + e.getMessage());
            }
        }
        return List.copyOf(steps);
    }

    private static void onlyKeys(Config step, String key, String... allowed) {
        for (String k : step.root().keySet()) {
            if (!List.of(allowed).contains(k)) {
                throw new SettingsException(key + "." + k + ": unknown key for this step; expected one of "
                        + List.of(allowed));
            }
        }
    }

    private static Config redact(Config c) {
        Config out = c;
        for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
            String k = e.getKey().toLowerCase(Locale.ROOT);
            if (k.contains("secret") || k.contains("password") || k.contains("access.key") || k.contains("token")
                    || k.contains("credential") && !k.endsWith("provider")) {
                out = out.withValue(e.getKey(), com.typesafe.config.ConfigValueFactory.fromAnyRef("***"));
            }
        }
        return out;
    }

    private static String fmt(double a) {
        String s = String.format(Locale.ROOT, "%.6f", a).replaceFirst("0+$", "");
        return s.endsWith(".") ? s + "0" : s;
    }

    private static String vectorLabel(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : "/").append(fmt(v[i]));
        }
        return sb.toString();
    }

    private interface Parser<T> {
        T parse(String s);
    }

    private static <T> T parse(String key, Config c, Parser<T> p, String expected) {
        String v = c.getString(key);
        try {
            return p.parse(v);
        } catch (IllegalArgumentException e) {
            throw new SettingsException(key, expected, "'" + v + "'");
        }
    }

    private static List<String> stringList(Config c, String key) {
        try {
            return List.copyOf(c.getStringList(key));
        } catch (ConfigException.WrongType e) {
            throw new SettingsException(key, "a list of strings", c.getValue(key).render());
        }
    }

    private static List<? extends Number> numberList(Config c, String key) {
        try {
            return c.getNumberList(key);
        } catch (ConfigException.WrongType e) {
            throw new SettingsException(key, "a list of numbers", c.getValue(key).render());
        }
    }

    @SuppressWarnings("unchecked")
    private static List<List<? extends Number>> numberLists(Config c, String key) {
        List<List<? extends Number>> out = new ArrayList<>();
        for (Object row : c.getList(key).unwrapped()) {
            if (!(row instanceof List)) {
                throw new ConfigException.WrongType(c.origin(), key, "list of lists", "list");
            }
            for (Object x : (List<Object>) row) {
                if (!(x instanceof Number)) {
                    throw new ConfigException.WrongType(c.origin(), key, "numbers", String.valueOf(x));
                }
            }
            out.add((List<? extends Number>) row);
        }
        return out;
    }

    private static Number number(Config c, String key) {
        try {
            return c.getNumber(key);
        } catch (ConfigException.WrongType e) {
            throw new SettingsException(key, "a number", c.getValue(key).render());
        }
    }

    private static boolean bool(Config c, String key) {
        try {
            return c.getBoolean(key);
        } catch (ConfigException.WrongType e) {
            throw new SettingsException(key, "true or false", c.getValue(key).render());
        }
    }

    private static int intIn(Config c, String key, int min, int max) {
        Number n = number(c, key);
        if (n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < min || n.doubleValue() > max) {
            throw new SettingsException(key, "an integer in " + min + ".." + max, n);
        }
        return n.intValue();
    }

    private static String nonBlank(Config c, String key, String expected) {
        ConfigValue v = c.getValue(key);
        if (v.valueType() != ConfigValueType.STRING) {
            throw new SettingsException(key, expected, v.render());
        }
        String s = c.getString(key).trim();
        if (s.isEmpty()) {
            throw new SettingsException(key, expected, "an empty string");
        }
        return s;
    }

    /** {@code dni.output.if-exists}: refuse, overwrite or resume. */
    public static org.dnispark.storage.RunOutput.Policy ifExists(Config c) {
        return parse("dni.output.if-exists", c,
                s -> org.dnispark.storage.RunOutput.Policy.valueOf(s.toUpperCase(Locale.ROOT)),
                "refuse, overwrite or resume");
    }

    /** {@code dni.model-cache}, with its documented default (~/.cache/dni-spark/models) when empty. */
    public static String modelCache(Config c) {
        String cache = c.getString("dni.model-cache");
        return cache.isBlank() ? Paths.get(System.getProperty("user.home"), ".cache", "dni-spark", "models").toString()
                : cache;
    }

    /** The {@code dni.spark.hadoop} settings as plain keys and values (quoted dotted keys unquoted). */
    public static Map<String, String> hadoopSettings(Config c) {
        return flatStrings(c, "dni.spark.hadoop");
    }

    private static Map<String, String> flatStrings(Config c, String key) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : c.getConfig(key).entrySet()) {
            String k = e.getKey().replace("\"", "");
            out.put(k, String.valueOf(e.getValue().unwrapped()));
        }
        return Collections.unmodifiableMap(out);
    }
}
