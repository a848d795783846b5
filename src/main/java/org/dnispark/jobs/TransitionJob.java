package org.dnispark.jobs;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import org.dnispark.config.Method;
import org.dnispark.config.TransitionSettings;
import org.dnispark.core.CoefficientPlan;
import org.dnispark.image.Animation;
import org.dnispark.image.ContactStrip;
import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;
import org.dnispark.report.RunFolder;
import org.dnispark.results.TransitionResults;
import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * The transition job: for every image, one output frame per coefficient vector ({@code frames/<image>/NN_<label>.png})
 * a contact strip of the whole transition ({@code strips/<image>.png}) and an animation forward and back
 * ({@code animations/<image>.gif}), written by the executors, plus the index
 * {@code frames.csv} and {@code frames.parquet}.
 */
public final class TransitionJob extends ImageJob<TransitionSettings> {

    /** Runs the job in an existing session (tests and the CLI call this). */
    public static Map<String, Object> run(SparkSession spark, TransitionSettings settings) {
        return new TransitionJob().execute(spark, settings).summary();
    }

    /** How long the animation shows each frame. */
    static final int FRAME_MILLIS = 150;

    /** A sweep to draw beside the frames must be a finished sweep of the same models, found before any work. */
    @Override
    void check(TransitionSettings s, RunPlan plan, Configuration conf) {
        String sweep = s.run().report().sweep();
        if (s.run().report().html() && !sweep.isEmpty()) {
            RunFolder run = RunFolder.read(sweep, conf, true);
            if (!run.job().equals("sweep")) {
                throw new IllegalArgumentException("dni.report.sweep = " + sweep + " is a " + run.job()
                        + " run; expected a sweep of the transition's models");
            }
        }
    }

    @Override
    BlockWork work(TransitionSettings s, RunPlan plan, org.apache.hadoop.conf.Configuration conf) {
        return new Frames(s.stripHeight(), s.animationHeight());
    }

    /** Writes each output as a frame and keeps its thumbnail for the image's strip (and animation). */
    record Frames(int stripHeight, int animationHeight) implements BlockWork {
        @Override
        public StructType columns() {
            return new StructType().add("frame", DataTypes.StringType).add("strip", DataTypes.StringType)
                    .add("width", DataTypes.IntegerType).add("height", DataTypes.IntegerType);
        }

        @Override
        public Item decode(Pending p, ExecutorPlan plan) {
            return new Item(p.name(), p.input().uri(), plan.degrade(p.input().decode(), p.name()), null);
        }

        @Override
        public void accept(Item item, int k, RgbImage output, ExecutorPlan plan, Configuration conf, List<Row> rows) {
            String rel = "frames/" + item.name + "/" + frameName(k, plan.coefficients.get(k).label());
            Storage.writeAtomically(plan.output(rel), ImageCodec.encodePng(output), conf);
            item.collected.add(ContactStrip.thumbnail(output, stripHeight));
            if (animationHeight > 0) {
                item.animated.add(ContactStrip.thumbnail(output, animationHeight).quantised());
            }
            rows.add(Outcomes.accepted(Outcomes.schema(columns()), item.name, item.uri, k, rel, "strips/" + item.name + ".png", output.width(),
                    output.height()));
        }

        @Override
        public void finish(Item item, ExecutorPlan plan, Configuration conf, List<Row> rows) throws IOException {
            Storage.writeAtomically(plan.output("strips/" + item.name + ".png"),
                    ImageCodec.encodePng(ContactStrip.build(item.collected, plan.coefficients.positions())), conf);
            if (animationHeight > 0) {
                List<RgbImage> frames = new java.util.ArrayList<>();
                item.animated.forEach(f -> frames.add(f.toImage()));
                Storage.writeAtomically(plan.output("animations/" + item.name + ".gif"),
                        Animation.gif(Animation.pingPong(frames), FRAME_MILLIS), conf);
            }
        }
    }

    @Override
    Map<String, Object> reports(SparkSession spark, TransitionSettings s, RunPlan plan, Inference inference,
            Results results, RunOutput out) {
        CoefficientPlan coefficients = inference.coefficients();
        JavaRDD<Row> frames = results.accepted();
        StructType parquet = new StructType().add("image", DataTypes.StringType, false)
                .add("index", DataTypes.IntegerType, false).add("label", DataTypes.StringType, false)
                .add("alpha", DataTypes.DoubleType, true)
                .add("coefficients", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
                .add("frame", DataTypes.StringType, false).add("strip", DataTypes.StringType, false)
                .add("width", DataTypes.IntegerType, false).add("height", DataTypes.IntegerType, false);
        spark.createDataFrame(frames.map(new ParquetRow(coefficients)), parquet).write()
                .parquet(out.file("frames.parquet"));
        ResultFiles.sortedCsv(frames, "image,index,label,alpha,coefficients,frame,strip,width,height",
                new CsvLine(coefficients), out.file("frames.csv"));
        return new TransitionResults(s.method() == Method.PIXEL ? "pixel" : "dni", results.acceptedRows(),
                results.images(), coefficients.size(), results.rejected()).toMap();
    }

    /** A row of frames.parquet: the frame with its coefficient's label, alpha and vector (in the executors). */
    record ParquetRow(CoefficientPlan coefficients) implements org.apache.spark.api.java.function.Function<Row, Row> {
        @Override
        public Row call(Row r) {
            CoefficientPlan.Coefficient c = coefficients.get(Outcomes.index(r));
            return org.apache.spark.sql.RowFactory.create(Outcomes.image(r), c.index(), c.label(), c.alpha(),
                    ResultRows.boxed(c), r.<String>getAs("frame"), r.<String>getAs("strip"), r.<Integer>getAs("width"),
                    r.<Integer>getAs("height"));
        }
    }

    /** A line of frames.csv, formatted in the executors, ordered by image then coefficient. */
    record CsvLine(CoefficientPlan coefficients) implements ResultFiles.Line {
        @Override
        public String key(Row r) {
            return ResultFiles.key(Outcomes.image(r), Outcomes.index(r));
        }

        @Override
        public String line(Row r) {
            CoefficientPlan.Coefficient c = coefficients.get(Outcomes.index(r));
            return Csv.line(Outcomes.image(r), c.index(), c.label(), c.hasAlpha() ? c.alpha() : "",
                    Arrays.toString(c.vector()).replace(",", ""), r.<String>getAs("frame"), r.<String>getAs("strip"),
                    r.<Integer>getAs("width"), r.<Integer>getAs("height"));
        }
    }
}
