package org.dnispark.jobs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import org.dnispark.config.SweepSettings;
import org.dnispark.core.AlphaSearch;
import org.dnispark.core.CoefficientPlan;
import org.dnispark.core.LayerSchedule;
import org.dnispark.metrics.Metric;
import org.dnispark.results.SearchResults;

/**
 * The sweep's search ({@code dni.sweep.search}) as the inference stage: the images are decoded once into a cached
 * RDD; each point the {@link AlphaSearch} asks for is one Spark stage over them, whose per-image scores the executors
 * write and whose mean (computed as the sweep computes it) the driver reads back; at the end the points' rows become
 * the outcome rows of a sweep over the points evaluated, indexed in alpha order. The source models are broadcast
 * once and the tasks interpolate each point's weights (the same code, so the same bits, as the driver would).
 */
final class SearchRun {
    private SearchRun() {
    }

    static ImageJob.Inference run(ImageJob.Stage st, SweepSettings s) {
        SweepSettings.Search settings = s.search();
        RunPlan plan = st.plan();
        if (s.common().renormalise().enabled() && !plan.pixel()) {
            throw new IllegalArgumentException("dni.sweep.search cannot renormalise (dni.renormalise builds every "
                    + "coefficient on the driver before the run); turn one of them off");
        }
        int models = plan.models().weights().size();
        StructType schema = Outcomes.schema(st.work().columns());
        Metric picking = s.scoring().picking();
        String metric = picking.column();
        String folder = st.outcomes() + "-search";
        WeightSource sources = WeightSource.sources(st.jsc(), plan.models().weights(), plan.pixel(),
                s.common().interpolation());
        JavaRDD<SearchImages.Decoded> decoded = null;
        try {
            AlphaSearch search = new AlphaSearch(settings.method(), settings.lo(), settings.hi(),
                    settings.tolerance(), settings.maxEvaluations(),
                    picking.direction() == Metric.Direction.LOWER);
            CoefficientPlan first = CoefficientPlan.ofVectors(List.of(settings.vector(settings.lo(), models)), models);
            ExecutorPlan decodePlan = st.executorPlan(sources.at(first), first, false);
            decoded = st.tasks().mapPartitions(new SearchImages.Decoder(decodePlan, st.work()))
                    .persist(StorageLevel.MEMORY_AND_DISK_SER());
            long t0 = System.nanoTime();
            ImageJob.step(st.spark(), s, "decoding " + st.count() + " images for the search");
            long accepted = decoded.filter(SearchImages.Decoded::accepted).count();
            st.timings().put("decode_ms", ImageJob.ms(t0));
            JavaRDD<SearchImages.Decoded> usable = decoded.filter(SearchImages.Decoded::accepted);
            List<Point> points = new ArrayList<>();
            long t1 = System.nanoTime();
            for (OptionalDouble next = accepted == 0 ? OptionalDouble.empty() : search.next(); next.isPresent();
                    next = search.next()) {
                double x = next.getAsDouble();
                int n = points.size() + 1;
                double[] vector = settings.vector(x, models);
                CoefficientPlan one = pointPlan(s, x, vector, models);
                String path = folder + "/point-" + n;
                ImageJob.step(st.spark(), s, String.format(Locale.ROOT, "search point %d: %s %s over %d images", n,
                        models == 2 ? "alpha" : "t", CoefficientPlan.format(x), accepted));
                long p0 = System.nanoTime();
                ExecutorPlan exec = st.executorPlan(sources.at(one), one, false);
                Outcomes.write(usable.mapPartitions(PartitionRunner.overDecoded(exec, st.work())), path, exec.hadoop);
                JavaRDD<Row> rows = Outcomes.read(st.jsc(), path, schema).filter(r -> !Outcomes.isRejection(r));
                double mean = SweepStatistics.of(rows, List.of(metric), 1).stat(metric, 0).mean();
                search.tell(mean);
                long millis = ImageJob.ms(p0);
                points.add(new Point(n, x, vector, mean, search.evaluations().get(n - 1).step(), millis, path));
                if (s.run().spark().progressMillis() > 0) {
                    System.err.printf(Locale.ROOT, "dni: sweep: search point %d (%s): mean %s %.4f in %.1f s%n", n,
                            points.get(n - 1).step(), metric, mean, millis / 1000.0);
                }
            }
            st.timings().put("inference_ms", ImageJob.ms(t1));

            // the points in alpha (or t) order become the run's coefficients; each point's rows take its new index
            List<Point> sorted = new ArrayList<>(points);
            sorted.sort(Comparator.comparingDouble(Point::x));
            List<double[]> vectors = new ArrayList<>();
            Map<Integer, Integer> indexOf = new LinkedHashMap<>();
            for (Point p : sorted) {
                indexOf.put(p.number(), vectors.size());
                vectors.add(p.vector());
            }
            // the rejections once, in their own folder: the decoded images are released when the search ends
            String rejectedPath = folder + "/rejected";
            Outcomes.write(decoded.filter(d -> !d.accepted())
                    .map(d -> Outcomes.rejected(schema, d.name(), d.uri(), d.reason())), rejectedPath,
                    ImageJob.hadoop(st.conf()));
            JavaRDD<Row> all = Outcomes.read(st.jsc(), rejectedPath, schema);
            for (Point p : points) {
                int index = indexOf.get(p.number());
                all = all.union(Outcomes.read(st.jsc(), p.path(), schema).map(r -> Outcomes.withIndex(r, index)));
            }
            CoefficientPlan evaluated = points.isEmpty() ? first : rules(s).isEmpty()
                    ? CoefficientPlan.ofVectors(vectors, models)
                    : CoefficientPlan.ofSchedules(sorted.stream().map(p -> LayerSchedule.uniform(p.x(), rules(s)))
                            .toList());
            // each point's rows were written once, in its own folder; the run reads them from there, renumbered
            return new ImageJob.Inference(evaluated, sources.description(), null,
                    Map.of("search", describe(s, search, points, accepted, models)), all);
        } finally {
            if (decoded != null) {
                decoded.unpersist(false);
            }
            sources.destroy();
        }
    }

    /** dni.schedule.rules, which apply at every point (the settings turned each grid alpha into a schedule). */
    private static List<LayerSchedule.Rule> rules(SweepSettings s) {
        CoefficientPlan.Coefficient c = s.coefficients().get(0);
        return c.hasSchedule() ? c.schedule().rules() : List.of();
    }

    /** Point {@code x} as a run of one coefficient. */
    private static CoefficientPlan pointPlan(SweepSettings s, double x, double[] vector, int models) {
        List<LayerSchedule.Rule> rules = rules(s);
        return rules.isEmpty() ? CoefficientPlan.ofVectors(List.of(vector), models)
                : CoefficientPlan.ofSchedules(List.of(LayerSchedule.uniform(x, rules)));
    }

    /** One evaluated point: its number, where, its vector, the mean metric, the kind of step, its cost, its rows. */
    record Point(int number, double x, double[] vector, double mean, String step, long millis, String path) {
    }

    /** The search's record: settings, every point in evaluation order, the answer, and its cost beside the grid's. */
    static SearchResults describe(SweepSettings s, AlphaSearch search, List<Point> points, long images, int models) {
        Metric picking = s.scoring().picking();
        List<SearchResults.Evaluation> evaluations = new ArrayList<>();
        for (Point p : points) {
            evaluations.add(new SearchResults.Evaluation(p.number(), models == 2, p.x(),
                    java.util.Arrays.stream(p.vector()).boxed().toList(), p.mean(), p.step(), images, p.millis()));
        }
        long gridPoints = s.coefficients().size();
        boolean any = !points.isEmpty();
        return new SearchResults(search.method().name().toLowerCase(Locale.ROOT), models == 2 ? "alpha"
                : "t (the path through the models: t in [k, k + 1] mixes models k and k + 1)", picking.column(),
                picking.direction() == Metric.Direction.LOWER ? "minimise" : "maximise", search.tolerance(),
                List.of(s.search().lo(), s.search().hi()), s.search().maxEvaluations(), search.converged(),
                any ? search.best() : null, any ? search.bestScore() : null,
                any ? List.of(search.bracket()[0], search.bracket()[1]) : null, evaluations, images,
                images * points.size(), gridPoints, images * gridPoints,
                gridPoints == 0 ? null : points.size() / (double) gridPoints);
    }
}
