package org.dnispark.jobs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;

import org.dnispark.config.JobSettings;
import org.dnispark.image.ContactStrip;
import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;
import org.dnispark.storage.RunOutput;
import org.dnispark.storage.Storage;

/**
 * The transition job: for every image, one output frame per coefficient vector ({@code frames/<image>/NN_<label>.png})
 * and a contact strip of the whole transition ({@code strips/<image>.png}), plus {@code frames.csv}.
 */
public final class TransitionJob extends DniJob<TransitionJob.Frame> {
    /** One written frame. */
    static final class Frame implements ImageRow {
        private static final long serialVersionUID = 1L;
        final String image;
        final int index;
        final String label;
        final String path;
        final String strip;
        final int width;
        final int height;

        Frame(String image, int index, String label, String path, String strip, int width, int height) {
            this.image = image;
            this.index = index;
            this.label = label;
            this.path = path;
            this.strip = strip;
            this.width = width;
            this.height = height;
        }

        @Override
        public String image() {
            return image;
        }

        @Override
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("image", image);
            m.put("index", index);
            m.put("label", label);
            m.put("path", path);
            m.put("strip", strip);
            m.put("width", width);
            m.put("height", height);
            return m;
        }
    }

    @Override
    Frame decodeRow(com.fasterxml.jackson.databind.JsonNode j) {
        return new Frame(j.get("image").asText(), j.get("index").asInt(), j.get("label").asText(),
                j.get("path").asText(), j.get("strip").asText(), j.get("width").asInt(), j.get("height").asInt());
    }

    /** Runs the job in an existing session (tests and the CLI call this). */
    public static Map<String, Object> run(SparkSession spark, JobSettings settings) {
        if (settings.job != JobSettings.Job.TRANSITION) {
            throw new IllegalArgumentException("settings are for " + settings.job.key() + ", not transition");
        }
        return new TransitionJob().execute(spark, settings).summary;
    }

    static String frameName(int index, String label) {
        return String.format("%02d_%s.png", index, label.replace('/', '-'));
    }

    @Override
    FlatMapFunction<Iterator<ImageTask>, Outcome<Frame>> partitionFunction(ExecutorPlan plan, JobSettings s) {
        int stripHeight = s.stripHeight;
        return tasks -> {
            Configuration conf = plan.hadoopConf();
            List<ImageTask> names = new ArrayList<>();
            List<RgbImage> inputs = new ArrayList<>();
            List<Outcome<Frame>> out = new ArrayList<>();
            while (tasks.hasNext()) {
                ImageTask t = tasks.next();
                try {
                    RgbImage img = plan.decode(t.inputUri, conf);
                    inputs.add(plan.degradation.isEmpty() ? img : plan.degrade(img.modCrop(plan.scale), t.name));
                    names.add(t);
                } catch (IOException | IllegalArgumentException e) {
                    out.add(Outcome.rejected(new Rejection(t.name, t.inputUri, e.getMessage())));
                }
            }
            if (inputs.isEmpty()) {
                if (plan.checkpoint) {
                    Checkpoint.write(plan, conf, out);
                }
                return out.iterator();
            }
            List<List<RgbImage>> thumbs = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                thumbs.add(new ArrayList<>());
            }
            plan.forEachOutput(inputs, (k, i, result) -> {
                String name = names.get(i).name;
                String rel = "frames/" + name + "/" + frameName(k, plan.labels.get(k));
                Storage.writeAtomically(plan.output(rel), ImageCodec.encodePng(result), conf);
                thumbs.get(i).add(ContactStrip.thumbnail(result, stripHeight));
                out.add(Outcome.of(new Frame(name, k, plan.labels.get(k), rel, "strips/" + name + ".png",
                        result.width(), result.height())));
            });
            for (int i = 0; i < inputs.size(); i++) {
                Storage.writeAtomically(plan.output("strips/" + names.get(i).name + ".png"),
                        ImageCodec.encodePng(ContactStrip.build(thumbs.get(i), plan.positions)), conf);
            }
            if (plan.checkpoint) {
                Checkpoint.write(plan, conf, out);
            }
            return out.iterator();
        };
    }

    @Override
    Map<String, Object> writeReports(SparkSession spark, JobSettings s, RunOutput out, List<Frame> rows,
            List<Rejection> rejections) {
        rows.sort((a, b) -> a.image.equals(b.image) ? Integer.compare(a.index, b.index) : a.image.compareTo(b.image));
        Csv csv = new Csv("image", "index", "label", "alpha", "coefficients", "frame", "strip", "width", "height");
        for (Frame f : rows) {
            double alpha = s.alphas.get(f.index);
            csv.row(f.image, f.index, f.label, Double.isNaN(alpha) ? "" : alpha,
                    java.util.Arrays.toString(s.coefficients.get(f.index)).replace(",", ""), f.path, f.strip, f.width,
                    f.height);
        }
        Storage.writeAtomically(out.file("frames.csv"), csv.bytes(), out.conf());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("method", s.pixelBlend ? "pixel" : "dni");
        summary.put("frames", rows.size());
        summary.put("strips", rows.stream().map(f -> f.image).distinct().count());
        summary.put("coefficients", s.coefficients.size());
        summary.put("rejected", rejections.size());
        return summary;
    }
}
