package org.dnispark.jobs;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import org.dnispark.config.ImageJobSettings;
import org.dnispark.core.CoefficientPlan;
import org.dnispark.provenance.RunIdentity;
import org.dnispark.report.Report;
import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * The driver side of a job over images, as a short sequence: plan (models and network, before any image), list the
 * inputs (in Spark), broadcast the weights, map the partitions through inference (executors write the results),
 * reports, manifest, publish. A job supplies its executor work and its reports.
 */
abstract class ImageJob<S extends ImageJobSettings> {

    /**
     * The file name of coefficient {@code index}'s output frame, {@code NN_<label>.png}; a label's '/' (between the
     * weights of three or more models) becomes '-', so that it never makes a folder.
     */
    static String frameName(int index, String label) {
        return String.format(java.util.Locale.ROOT, "%02d_%s.png", index, label.replace('/', '-'));
    }

    /** Names the driver's current step in the Spark UI and, unless progress is off, on stderr. */
    static void step(SparkSession spark, ImageJobSettings s, String what) {
        spark.sparkContext().setJobDescription("dni-spark " + s.command() + ": " + what);
        if (s.run().spark().progressMillis() > 0) {
            System.err.println("dni: " + s.command() + ": " + what);
        }
    }

    /** Checks that the job can run with this network before any work (for example the sweep's scale). */
    void check(S s, RunPlan plan, Configuration conf) {
    }

    /** The paired ground-truth folder, or empty. */
    String groundTruth(S s) {
        return "";
    }

    /** What a task does with each image. */
    abstract BlockWork work(S s, RunPlan plan, Configuration conf);

    /** Writes the job's reports from all result rows into the staging folder; returns the summary. */
    abstract Map<String, Object> reports(SparkSession spark, S s, RunPlan plan, Inference inference, Results results,
            RunOutput out);

    /**
     * What the inference stage has to work with: the session, settings and plan, the tasks still to do (sorted into
     * name ranges), where the outcome rows go, the job's work, the progress counters and the timings to fill in.
     */
    record Stage(SparkSession spark, JavaSparkContext jsc, ImageJobSettings settings, RunPlan plan, Configuration conf,
            RunOutput out, RunIdentity identity, JavaRDD<ImageTask> tasks, long count, String outcomes, BlockWork work,
            ExecutorPlan.Progress progress, Map<String, Object> timings) {

        /** The executor plan for these weights and coefficients; a resumable run checkpoints unless told not to. */
        ExecutorPlan executorPlan(WeightSource weights, CoefficientPlan coefficients, boolean checkpoint) {
            ImageJobSettings s = settings;
            return ExecutorPlan.builder().setNetwork(plan.network()).setWeights(weights, plan.pixel())
                    .setCoefficients(coefficients).setInference(s.run().inference()).setStaging(out.stagingUri())
                    .optDegradation(s.run().input().degradation(), s.run().seed()).optHadoop(hadoop(conf))
                    .optCheckpoint(checkpoint && out.policy() == RunOutput.Policy.RESUME ? identity.fingerprint()
                            : null)
                    .optProgress(progress).build();
        }
    }

    /**
     * What the inference ran: the coefficients, in the order of the indices its result rows carry; what was
     * broadcast; what renormalisation did (or null); the job's own manifest details (empty for most); and its outcome
     * rows when it kept them elsewhere than the run's outcome folder (the search's points, each written once in its
     * own folder), else null.
     */
    record Inference(CoefficientPlan coefficients, String broadcast, Map<String, Object> renormalisation,
            Map<String, Object> details, JavaRDD<Row> rows) {
    }

    /**
     * The inference stage: every coefficient's weights (interpolated, or renormalised, on the driver within the
     * broadcast budget) broadcast, and every task streamed through them once; the outcome rows are written to
     * {@code outcomes} by the executors ({@link Outcomes#write}). The sweep's search overrides it.
     */
    Inference infer(Stage st) {
        ImageJobSettings s = st.settings();
        RunPlan plan = st.plan();
        long t1 = System.nanoTime();
        step(st.spark(), s, "interpolating and broadcasting the weights of " + s.coefficients().size()
                + " coefficients");
        WeightSource weights;
        if (s.common().renormalise().enabled() && !plan.pixel()) {
            Renormaliser renormaliser = Renormaliser.prepare(s.common().renormalise(), s.run().input().images(),
                    s.run().input().extensions(), s.run().input().degradation(), s.run().seed(), plan.models(),
                    plan.network(), s.common().interpolation(), st.conf());
            weights = WeightSource.broadcastRenormalised(st.jsc(), plan.models().weights(), s.coefficients(),
                    renormaliser, s.common().interpolation(), s.run().inference().memory().broadcastBudget());
        } else {
            weights = WeightSource.broadcast(st.jsc(), plan.models().weights(), s.coefficients(), plan.pixel(),
                    s.common().interpolation(), s.run().inference().memory().broadcastBudget());
        }
        try {
            st.timings().put("interpolate_ms", ms(t1));
            RunMetrics.set("broadcast_bytes", weights.bytes());
            long t2 = System.nanoTime();
            ExecutorPlan exec = st.executorPlan(weights, s.coefficients(), true);
            if (st.count() > 0) {
                step(st.spark(), s, "inference of " + st.count() + " images at " + s.coefficients().size()
                        + " coefficients");
                try (ProgressReporter reporter = ProgressReporter.start(st.spark().sparkContext(), System.err,
                        s.command(), st.progress(), st.count(), st.count() * s.coefficients().size(),
                        s.run().spark().progressMillis())) {
                    Outcomes.write(st.tasks().mapPartitions(new PartitionRunner(exec, st.work())), st.outcomes(),
                            exec.hadoop);
                    if (reporter != null) {
                        reporter.finish(true);
                    }
                }
            }
            st.timings().put("inference_ms", ms(t2));
            return new Inference(s.coefficients(), weights.description(), weights.renormalisation(), Map.of(), null);
        } finally {
            weights.destroy();
        }
    }

    /**
     * Every result row of the run, and its counts: images with results, rejections, result rows, and images
     * resumed from an earlier attempt.
     */
    record Results(JavaRDD<Row> rows, long images, long rejected, long acceptedRows, long resumed) {
        JavaRDD<Row> accepted() {
            return rows.filter(r -> !Outcomes.isRejection(r));
        }

        JavaRDD<Row> rejections() {
            return rows.filter(Outcomes::isRejection);
        }

        void release() {
            rows.unpersist(false);
        }
    }

    /** What a run returns to its caller: where it went and its summary. */
    record JobResult(String output, long images, long rejected, Map<String, Object> summary) {
    }

    final JobResult execute(SparkSession spark, S s) {
        long t0 = System.nanoTime();
        Instant started = Instant.now();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        s.common().hadoop().forEach(conf::set);
        String runId = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(started)
                + "-" + UUID.randomUUID().toString().substring(0, 8);
        RunOutput out = new RunOutput(s.output(), s.common().ifExists(), conf);
        Map<String, Object> timings = new LinkedHashMap<>();
        out.refuseExisting();
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put("input images", s.run().input().images());
        inputs.put("ground truth", groundTruth(s));
        for (int i = 0; i < s.common().models().size(); i++) {
            inputs.put("model " + (i + 1), s.common().models().get(i));
        }
        // a model named relative to the cache is under it: a target holding the cache holds that model
        inputs.put("model cache", s.common().modelCache());
        out.refuseToReplaceInputs(inputs);
        out.lock();
        ImageCatalog.Listing listing = null;
        Results results = null;
        try {
            RunMetrics.start();
            // one job group per run: the Spark UI and the History Server list its jobs together under the run's id
            spark.sparkContext().setJobGroup("dni-" + s.command() + "-" + runId, "dni-spark " + s.command() + " -> "
                    + s.output(), true);
            if (s.run().spark().progressMillis() > 0 && spark.sparkContext().uiWebUrl().isDefined()) {
                System.err.println("dni: " + s.command() + ": Spark UI at " + spark.sparkContext().uiWebUrl().get());
            }
            step(spark, s, "loading models");
            RunPlan plan = RunPlan.resolve(s, conf);
            check(s, plan, conf);
            timings.put("load_models_ms", ms(t0));
            RunMetrics.set("load_models_seconds", ms(t0) / 1000.0);
            step(spark, s, "listing images");
            listing = ImageCatalog.list(spark, s.run().input(), groundTruth(s), conf);
            RunIdentity identity = plan.identity(listing.digest());
            JobResult previous = Resume.previous(out, identity, conf);
            if (previous != null) {
                out.abort(); // nothing staged: only gives the lock back
                return previous;
            }
            out.openStaging(out.policy() == RunOutput.Policy.RESUME
                    ? "resume-" + identity.fingerprint().substring(0, 16) : runId);
            String work = out.file("_work");
            // named by this run: tasks of a cancelled earlier attempt may still be finishing into their own folder
            String outcomes = work + "/outcomes-" + runId;
            BlockWork blockWork = work(s, plan, conf);
            Resume.Done done = Resume.done(spark, out, identity, Outcomes.schema(blockWork.columns()), work);
            JavaRDD<ImageTask> todo = done.remaining(listing.tasks());
            timings.put("list_ms", ms(t0) - (Long) timings.get("load_models_ms"));
            RunMetrics.set("list_seconds", (Long) timings.get("list_ms") / 1000.0);
            RunMetrics.set("images_listed", listing.count());

            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            ExecutorPlan.Progress progress = ExecutorPlan.Progress.register(spark.sparkContext());
            RunMetrics.live(progress);
            long count = listing.count() - done.images();
            int partitions = partitions(s, count, jsc.defaultParallelism());
            JavaRDD<ImageTask> tasks = count == 0 ? todo : byNameRanges(jsc, todo, count, partitions);
            Inference inference = infer(new Stage(spark, jsc, s, plan, conf, out, identity, tasks, count, outcomes,
                    blockWork, progress, timings));
            timings.put("task_time", progress.taskTime());
            RunMetrics.set("inference_seconds", ((Number) timings.getOrDefault("inference_ms", 0L)).longValue()
                    / 1000.0);

            long t3 = System.nanoTime();
            step(spark, s, "statistics and reports");
            JavaRDD<Row> inferred = inference.rows() != null ? inference.rows() : count == 0 ? null
                    : Outcomes.read(jsc, outcomes, Outcomes.schema(blockWork.columns()));
            results = Resume.results(inferred, done);
            if (results.images() == 0) {
                throw new IllegalArgumentException("every input image was rejected: " + Reports.describe(results));
            }
            RunMetrics.settle(results.images(), results.rejected(), progress.inferences().value());
            Reports.rejections(spark, results, out);
            Map<String, Object> summary = reports(spark, s, plan, inference, results, out);
            Storage.delete(work, conf);
            Storage.delete(out.file(Checkpoint.DIR), conf);
            timings.put("reports_ms", ms(t3));
            timings.put("total_ms", ms(t0));
            RunMetrics.set("reports_seconds", ms(t3) / 1000.0);
            RunMetrics.set("total_seconds", ms(t0) / 1000.0);
            Storage.writeAtomically(out.file("manifest.json"), Reports.manifest(spark, plan, identity, out, runId,
                    started, results, inference, partitions, summary, timings).toJson(), conf);
            if (s.run().report().html()) {
                step(spark, s, "writing report.html");
                Report.writeForRun(out.stagingUri(), s.output(), s.run().report(), conf);
            }
            step(spark, s, "publishing " + s.output());
            out.commit();
            return new JobResult(s.output(), results.images(), results.rejected(), summary);
        } catch (IOException e) {
            out.abort();
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            out.abort();
            throw e;
        } catch (Exception e) {
            // Spark reports failed tasks as SparkException, a checked exception Scala throws undeclared.
            out.abort();
            throw new JobFailedException(s.command() + " failed in a Spark task: " + JobFailedException.taskFailure(e),
                    e);
        } finally {
            spark.sparkContext().setJobDescription(null);
            spark.sparkContext().clearJobGroup();
            if (listing != null) {
                listing.release();
            }
            if (results != null) {
                results.release();
            }
        }
    }

    /**
     * {@code dni.spark.partitions}, or twice the default parallelism, more for large inputs so that a task holds about
     * a thousand images at most (a retried task then redoes little), and never more than one per image.
     */
    static int partitions(ImageJobSettings s, long images, int parallelism) {
        if (s.run().spark().partitions() > 0) {
            return s.run().spark().partitions();
        }
        long p = Math.max(2L * parallelism, (images + 999) / 1000);
        return (int) Math.max(1, Math.min(images, Math.min(p, 1_000_000)));
    }

    /**
     * Up to this many images are put in name order on the driver (a few hundred bytes each) instead of by a
     * distributed sort.
     */
    static final long DRIVER_SORT_LIMIT = 10_000;

    /**
     * The tasks in name ranges: partitions of even size, and a task's images in name order. A listing of up to
     * {@link #DRIVER_SORT_LIMIT} images is sorted on the driver and sliced evenly, which saves the sort's sampling job
     * and the shuffle stage it puts before the inference (about 0.1 s of a short run, issue 29); a larger one is
     * sorted by Spark, a sampling pass picking the ranges.
     */
    static JavaRDD<ImageTask> byNameRanges(JavaSparkContext jsc, JavaRDD<ImageTask> tasks, long count,
            int partitions) {
        if (count > DRIVER_SORT_LIMIT) {
            return tasks.keyBy(ImageTask::name).sortByKey(true, partitions).values();
        }
        List<ImageTask> all = new ArrayList<>(tasks.collect());
        // files sharing a name (refused, one by one) in the order of their URIs, so every run slices them alike
        all.sort(java.util.Comparator.comparing(ImageTask::name).thenComparing(ImageTask::input));
        return jsc.parallelize(all, partitions);
    }

    static Map<String, String> hadoop(Configuration conf) {
        Map<String, String> m = new LinkedHashMap<>();
        conf.forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
