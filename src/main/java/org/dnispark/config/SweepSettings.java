package org.dnispark.config;

import java.util.List;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import org.dnispark.core.AlphaSearch;
import org.dnispark.core.CoefficientPlan;
import org.dnispark.core.Coefficients;
import org.dnispark.metrics.Metric;
import org.dnispark.metrics.MetricRegistry;
import org.dnispark.provenance.Placement;

/** The sweep job: a metric for every image at every coefficient, its mean per coefficient, and the best one. */
public record SweepSettings(ImageRunSettings run, CoefficientPlan coefficients, Method method,
        @Placement String output, Scoring scoring, Search search, List<String> predictorFitFrom, Adaptive adaptive,
        List<String> frames) implements ImageJobSettings {

    /**
     * {@code dni.sweep.region-adaptive}: an alpha per pixel ({@link org.dnispark.image.RegionAlpha}) and the
     * composite of the outputs at {@code levels} (alphas of the sweep, ascending; {@code levelIndices} are their
     * coefficients), scored like every output; frames for the images named in {@code frames}. Null when off.
     */
    public record Adaptive(List<Double> levels, List<Integer> levelIndices, double flat, double textured,
            double smoothing, List<String> frames) implements java.io.Serializable {
        public double[] levelArray() {
            return levels.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }

    /**
     * {@code dni.sweep.search}: instead of running every coefficient of the grid, search for the best one by the mean
     * metric, one Spark stage per point (see {@link AlphaSearch}); null when {@code method = off}. The bracket is the
     * alpha grid's start and end for two models, and the path parameter {@code [0, models - 1]} (a point {@code t}
     * mixes models {@code floor(t)} and {@code floor(t) + 1}) for a path through more.
     */
    public record Search(AlphaSearch.Method method, double tolerance, int maxEvaluations, double lo, double hi) {
        /** The coefficient vector of point {@code t} of the bracket, for {@code models} models. */
        public double[] vector(double t, int models) {
            if (models == 2) {
                return Coefficients.forAlpha(t);
            }
            int seg = Math.min((int) Math.floor(t), models - 2);
            double[] v = new double[models];
            v[seg] = 1 - (t - seg);
            v[seg + 1] = t - seg;
            return v;
        }
    }

    /**
     * How outputs are scored.
     *
     * @param groundTruth {@code dni.sweep.ground-truth}: a folder of ground truth (paired mode), or empty
     *                    (synthetic mode: the degraded references)
     * @param cropBorder  {@code dni.sweep.crop-border}: pixels removed from every edge; -1 means the model's scale
     * @param metric      {@code dni.sweep.metric}: the name of the metric whose mean picks the best coefficient
     * @param metrics     {@code dni.sweep.metrics}: the names of the metrics every output gets, in the registry's
     *                    order (the order of the result columns)
     * @param pristine    {@code dni.niqe.pristine} when NIQE is computed (its model's photographs), else empty
     * @param maxPixels   {@code dni.niqe.max-pixels}: the largest pristine photograph decoded
     */
    public record Scoring(String groundTruth, int cropBorder, String metric, List<String> metrics,
            List<String> pristine, long maxPixels) {
        public boolean paired() {
            return !groundTruth.isEmpty();
        }

        /** The metric that picks the best coefficient (and that the search optimises). */
        public Metric picking() {
            return MetricRegistry.named(metric);
        }

        /** The metrics every output gets, unbound (see {@link Metric#bind}). */
        public List<Metric> computed() {
            return MetricRegistry.select(metrics);
        }

        static Scoring read(SettingsReader r) {
            List<String> names = r.strings("dni.sweep.metrics");
            for (String n : names) {
                if (!MetricRegistry.names().contains(n)) {
                    throw new SettingsException("dni.sweep.metrics", "names from " + MetricRegistry.names(), n);
                }
                if (names.indexOf(n) != names.lastIndexOf(n)) {
                    throw new SettingsException("dni.sweep.metrics", "each metric once", names);
                }
            }
            if (names.isEmpty()) {
                throw new SettingsException("dni.sweep.metrics", "at least one of " + MetricRegistry.names(), "[]");
            }
            String metric = r.string("dni.sweep.metric");
            if (!MetricRegistry.names().contains(metric)) {
                throw new SettingsException("dni.sweep.metric", "one of " + MetricRegistry.names(), metric);
            }
            if (!names.contains(metric)) {
                throw new SettingsException("dni.sweep.metric", "one of dni.sweep.metrics " + names + " (the metric "
                        + "that picks the best must be computed)", metric);
            }
            List<String> ordered = MetricRegistry.select(names).stream().map(Metric::name).toList();
            List<String> fitting = MetricRegistry.select(names).stream().filter(Metric::fitsOnPristine)
                    .map(Metric::name).toList();
            boolean fits = !fitting.isEmpty();
            List<String> pristine = fits ? r.strings("dni.niqe.pristine") : List.of();
            if (fits && pristine.isEmpty()) {
                throw new SettingsException("dni.niqe.pristine", "at least one folder of pristine photographs (the "
                        + "model of " + fitting + ") when dni.sweep.metrics holds " + fitting, "[]");
            }
            long maxPixels = r.longIn("dni.niqe.max-pixels", 1, org.dnispark.image.ImageCodec.MAX_PIXELS);
            return new Scoring(r.string("dni.sweep.ground-truth"), r.intIn("dni.sweep.crop-border", -1, 1024), metric,
                    ordered, List.copyOf(pristine), fits ? maxPixels : 0);
        }
    }

    private static Adaptive adaptive(SettingsReader r, CoefficientPlan grid, Search search) {
        String b = "dni.sweep.region-adaptive.";
        boolean enabled = r.bool(b + "enabled");
        List<Double> levels = r.numbers(b + "levels");
        double flat = r.number(b + "flat-alpha");
        double textured = r.number(b + "textured-alpha");
        double smoothing = r.numberIn(b + "smoothing", 0.5, 256);
        List<String> frames = r.strings(b + "frames");
        if (!enabled) {
            return null;
        }
        if (search != null) {
            throw new SettingsException("dni.sweep.region-adaptive composites outputs of the sweep's alphas; "
                    + "dni.sweep.search runs other points, so turn one of them off");
        }
        if (levels.size() < 2) {
            throw new SettingsException(b + "levels", "at least two alphas of the sweep, ascending", levels);
        }
        List<Integer> indices = new java.util.ArrayList<>();
        for (int i = 0; i < levels.size(); i++) {
            if (i > 0 && !(levels.get(i) > levels.get(i - 1))) {
                throw new SettingsException(b + "levels", "ascending alphas", levels);
            }
            int found = -1;
            for (CoefficientPlan.Coefficient c : grid.entries()) {
                if (c.hasAlpha() && !c.hasSchedule() && Math.abs(c.alpha() - levels.get(i)) < 1e-9) {
                    found = c.index();
                }
            }
            if (found < 0) {
                throw new SettingsException(b + "levels", "alphas the sweep runs (its grid or alphas; plain DNI or "
                        + "pixel, two models)", levels.get(i) + " is not one of them");
            }
            if (!indices.isEmpty() && found < indices.get(indices.size() - 1)) {
                throw new SettingsException(b + "levels: the sweep must run its alphas in ascending order");
            }
            indices.add(found);
        }
        double lo = levels.get(0);
        double hi = levels.get(levels.size() - 1);
        for (String k : List.of("flat-alpha", "textured-alpha")) {
            double v = k.equals("flat-alpha") ? flat : textured;
            if (v < lo || v > hi) {
                throw new SettingsException(b + k, "an alpha within the levels [" + lo + ", " + hi + "]", v);
            }
        }
        return new Adaptive(List.copyOf(levels), List.copyOf(indices), flat, textured, smoothing, List.copyOf(frames));
    }

    private static Search search(SettingsReader r, CommonSettings common) {
        Object chosen = r.choice("dni.sweep.search.method", SettingsReader.choices("off", "off", "golden",
                AlphaSearch.Method.GOLDEN, "brent", AlphaSearch.Method.BRENT));
        AlphaSearch.Method method = chosen instanceof AlphaSearch.Method m ? m : null;
        double tolerance = r.number("dni.sweep.search.tolerance");
        int max = r.intIn("dni.sweep.search.max-evaluations", 2, 1000);
        if (method == null) {
            return null;
        }
        int models = common.models().size();
        double lo;
        double hi;
        if (models == 2) {
            if (!r.numbers("dni.sweep.alphas").isEmpty() || !r.numberRows("dni.sweep.coefficients", "[[0.5, 0.5]]")
                    .isEmpty()) {
                throw new SettingsException("dni.sweep.search: the search's bracket is dni.sweep.alpha-grid's start "
                        + "and end, so dni.sweep.alphas and dni.sweep.coefficients must be empty");
            }
            lo = r.number("dni.sweep.alpha-grid.start");
            hi = r.number("dni.sweep.alpha-grid.end");
        } else {
            if (!(r.number("dni.sweep.path-step") > 0)) {
                throw new SettingsException("dni.sweep.search: " + models + " models are searched along the path "
                        + "through them; set dni.sweep.path-step (the grid it replaces) and no explicit coefficients");
            }
            lo = 0;
            hi = models - 1;
        }
        if (!(hi > lo)) {
            throw new SettingsException("dni.sweep.search: the bracket [" + lo + ", " + hi + "] is empty; expected "
                    + "alpha-grid.start < alpha-grid.end");
        }
        if (r.numberRows("dni.sweep.schedules", "[[0.2, 0.8]]").size() > 0
                || r.number("dni.sweep.schedule-grid.step") > 0) {
            throw new SettingsException("dni.sweep.search searches one alpha; it cannot search dni.sweep.schedules or "
                    + "dni.sweep.schedule-grid (dni.schedule.rules apply at every point)");
        }
        if (!(tolerance > 0) || tolerance > (hi - lo) / 2) {
            throw new SettingsException("dni.sweep.search.tolerance", "a number in (0, " + (hi - lo) / 2
                    + "] (half the bracket [" + lo + ", " + hi + "])", tolerance);
        }
        return new Search(method, tolerance, max, lo, hi);
    }

    @Override
    public String command() {
        return "sweep";
    }

    public static SweepSettings from(Config resolved) {
        try {
            SettingsReader r = new SettingsReader(resolved);
            ImageRunSettings run = ImageRunSettings.read(r);
            Scoring scoring = Scoring.read(r);
            if (!scoring.paired() && run.input().degradation().isEmpty()) {
                throw new SettingsException("dni.degradation: the sweep's synthetic mode (no dni.sweep.ground-truth) "
                        + "needs at least one degradation step, else inputs equal the ground truth");
            }
            CoefficientPlan grid = CoefficientReader.read(r, "dni.sweep", run.common());
            Search search = search(r, run.common());
            List<String> fitFrom = r.strings("dni.sweep.predictor.fit-from");
            if (!fitFrom.isEmpty() && run.common().models().size() != 2) {
                throw new SettingsException("dni.sweep.predictor.fit-from: the predictor predicts an alpha, so it "
                        + "needs two models, not " + run.common().models().size());
            }
            List<String> frames = r.strings("dni.sweep.frames");
            if (!frames.isEmpty() && search != null) {
                throw new SettingsException("dni.sweep.frames: a search renumbers its points after running them, so "
                        + "frames are kept by grid sweeps only; expected [] with dni.sweep.search");
            }
            return new SweepSettings(run, grid, Method.read(r, "dni.sweep.method"),
                    r.nonBlank("dni.sweep.output", "an output folder URI"), scoring, search, fitFrom,
                    adaptive(r, grid, search), List.copyOf(frames));
        } catch (ConfigException e) {
            throw SettingsReader.wrap(e);
        }
    }
}
