package org.dnispark.jobs;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import org.dnispark.config.ImageInputSettings;
import org.dnispark.storage.Storage;

/**
 * The images of a run, listed and paired in Spark tasks (file contents are never read here): neither listing nor
 * matching a folder of a million images holds it on the driver. A task row has {@code name} (file name without
 * extension; relative path under the folder when recursive), {@code input} (URI), {@code truth} (paired mode's
 * ground-truth URI, else null) and {@code refusal} (why the image cannot be used, else null), an {@link ImageTask}
 * each. Names must be unique:
 * images sharing one are rejected, since their outputs would overwrite each other. Plain RDD operations: they cost
 * little even for a run of a few images.
 */
final class ImageCatalog {
    /**
     * The tasks (cached, as the count, the digest and the inference read them) and what identifies them: how many
     * there are, how many can be used, and an order-independent digest of every listed file's URI, size and
     * modification time (the run's identity records it instead of the list).
     */
    record Listing(JavaRDD<ImageTask> tasks, long count, long usable, String digest) {
        /** Frees the listing's cached rows. */
        void release() {
            tasks.unpersist(false);
        }
    }

    /** A listed image file: its URI, name and stamp (size and modification time). */
    record File(String uri, String name, String stamp) implements Serializable {
    }

    private ImageCatalog() {
    }

    /** Lists {@code input.images} (and the paired ground truth when {@code groundTruth} is not empty). */
    static Listing list(SparkSession spark, ImageInputSettings input, String groundTruth, Configuration conf) {
        int partitions = Math.max(1, spark.sparkContext().defaultParallelism());
        String imagesFolder = input.images();
        JavaPairRDD<String, File> inputs = files(spark, imagesFolder, "dni.input.images", input, conf);
        JavaRDD<ImageTask> tasks;
        if (groundTruth.isEmpty()) {
            tasks = inputs.groupByKey(partitions).flatMap(g -> {
                List<File> same = new ArrayList<>();
                g._2().forEach(same::add);
                List<ImageTask> out = new ArrayList<>();
                String dup = duplicate(same, "input");
                for (File f : same) {
                    out.add(task(f.name(), f.uri(), null, dup, f.stamp()));
                }
                return out.iterator();
            });
        } else {
            JavaPairRDD<String, File> truths = files(spark, groundTruth, "dni.sweep.ground-truth", input, conf);
            tasks = inputs.cogroup(truths, partitions).flatMap(g -> {
                List<File> in = new ArrayList<>();
                List<File> gt = new ArrayList<>();
                g._2()._1().forEach(in::add);
                g._2()._2().forEach(gt::add);
                return pair(g._1(), in, gt, imagesFolder, groundTruth).iterator();
            });
        }
        tasks = tasks.persist(StorageLevel.MEMORY_AND_DISK());
        // one pass: how many, how many usable, and the XOR of every file's hash (order-independent)
        long[] stats = tasks.map(r -> new long[] {1, r.refusal() == null ? 1 : 0, r.hash()})
                .fold(new long[] {0, 0, 0}, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] ^ b[2]});
        if (stats[0] == 0) {
            tasks.unpersist(false);
            throw new IllegalArgumentException("dni.input.images = " + imagesFolder + ": no images with extensions "
                    + input.extensions() + (input.recursive() ? " in it or its sub-folders" : ""));
        }
        return new Listing(tasks, stats[0], stats[1], stats[0] + ":" + Long.toHexString(stats[2]));
    }

    /** Paired mode: one name's inputs and ground truths. */
    private static List<ImageTask> pair(String name, List<File> in, List<File> gt, String images, String truths) {
        List<ImageTask> out = new ArrayList<>();
        String dup = duplicate(in, "input");
        dup = dup != null ? dup : duplicate(gt, "ground truth");
        if (in.isEmpty()) {
            for (File t : gt) {
                out.add(task(name, t.uri(), null, dup != null ? dup : "ground truth without an input "
                        + "named " + name + ".* in " + images, t.stamp()));
            }
        } else if (gt.isEmpty()) {
            for (File i : in) {
                out.add(task(name, i.uri(), null, dup != null ? dup : "no ground truth named " + name
                        + ".* in " + truths, i.stamp()));
            }
        } else {
            for (File i : in) {
                out.add(task(name, i.uri(), gt.get(0).uri(), dup, i.stamp() + "|" + gt.get(0).stamp()));
            }
        }
        return out;
    }

    /** Why files sharing one name are rejected, or null when the name is unique. */
    private static String duplicate(List<File> same, String what) {
        if (same.size() < 2) {
            return null;
        }
        List<String> uris = new ArrayList<>();
        same.forEach(f -> uris.add(f.uri()));
        uris.sort(null);
        return "more than one " + what + " file is named " + same.get(0).name() + ".*: " + String.join(", ", uris)
                + "; names must be unique, else their outputs would overwrite each other";
    }

    private static ImageTask task(String name, String input, String truth, String refusal, String stamp) {
        return new ImageTask(name, input, truth, refusal, stamp);
    }

    /**
     * The image files of one folder by name. The listing runs in Spark tasks ({@link FolderLister}); the driver only
     * checks that the folder exists.
     */
    private static JavaPairRDD<String, File> files(SparkSession spark, String dir, String key, ImageInputSettings input,
            Configuration conf) {
        Path folder = new Path(dir);
        FileSystem fs = Storage.fs(folder, conf);
        String qualified;
        try {
            qualified = fs.makeQualified(folder).toString();
            if (!fs.getFileStatus(folder).isDirectory()) {
                throw new IllegalArgumentException(key + " = " + dir + ": is a file, expected a folder of images");
            }
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException(key + " = " + dir + ": no such folder");
        } catch (IOException e) {
            throw new IllegalArgumentException(key + " = " + dir + ": cannot list it: " + e.getMessage(), e);
        }
        String prefix = qualified.endsWith("/") ? qualified : qualified + "/";
        return FolderLister.list(JavaSparkContext.fromSparkContext(spark.sparkContext()), qualified, input, conf)
                .filter(f -> f.uri().startsWith(prefix)).mapToPair(f -> {
                    String relative = f.uri().substring(prefix.length());
                    int dot = relative.lastIndexOf('.');
                    String name = dot > relative.lastIndexOf('/') + 1 ? relative.substring(0, dot) : relative;
                    return new Tuple2<>(name, new File(f.uri(), name, f.stamp()));
                });
    }
}
