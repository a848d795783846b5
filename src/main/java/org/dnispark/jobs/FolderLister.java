package org.dnispark.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobFilter;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;

import org.dnispark.config.ImageInputSettings;
import org.dnispark.storage.Storage;

/**
 * Lists a folder of images in Spark tasks, streaming the store's paginated listing (Hadoop's
 * {@code listStatusIterator}), so that the driver never holds it: one task lists the folder itself and, when
 * recursive, its sub-folders are listed in parallel. Unlike Spark's file sources, which skip empty files, every
 * matching file is kept, so that an empty image is rejected with its reason rather than silently left out. Hidden
 * files and names starting with "_" are skipped, and only names with one of the extensions (and matching the glob)
 * are kept.
 */
final class FolderLister implements FlatMapFunction<String, FolderLister.Entry> {
    /** A listed file (or, for the parallel walk, a sub-folder): its URI and its size and modification time. */
    record Entry(String uri, String stamp, boolean folder) implements java.io.Serializable {
    }

    private final Map<String, String> hadoop;
    private final List<String> extensions;
    private final String glob;
    /** Whether sub-folders are reported (as folder rows) or walked (recursively). */
    private final boolean walk;

    private FolderLister(Map<String, String> hadoop, List<String> extensions, String glob, boolean walk) {
        this.hadoop = hadoop;
        this.extensions = List.copyOf(extensions);
        this.glob = glob;
        this.walk = walk;
    }

    static JavaRDD<Entry> list(JavaSparkContext jsc, String folder, ImageInputSettings input, Configuration conf) {
        Map<String, String> hadoop = new java.util.LinkedHashMap<>();
        conf.forEach(e -> hadoop.put(e.getKey(), e.getValue()));
        JavaRDD<Entry> top = jsc.parallelize(List.of(folder), 1)
                .flatMap(new FolderLister(hadoop, input.extensions(), input.glob(), false));
        if (!input.recursive()) {
            return top.filter(e -> !e.folder());
        }
        top = top.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        JavaRDD<Entry> nested = top.filter(Entry::folder).map(Entry::uri)
                .repartition(Math.max(1, jsc.defaultParallelism()))
                .flatMap(new FolderLister(hadoop, input.extensions(), input.glob(), true));
        return top.filter(e -> !e.folder()).union(nested);
    }

    @Override
    public Iterator<Entry> call(String folder) throws IOException {
        Configuration conf = Storage.configuration(hadoop);
        Path dir = new Path(folder);
        FileSystem fs = Storage.fs(dir, conf);
        GlobFilter filter = glob.isEmpty() ? null : new GlobFilter(glob);
        return new Iterator<>() {
            private final java.util.ArrayDeque<RemoteIterator<FileStatus>> stack = new java.util.ArrayDeque<>(
                    List.of(fs.listStatusIterator(dir)));
            private Entry next;

            @Override
            public boolean hasNext() {
                try {
                    while (next == null && !stack.isEmpty()) {
                        if (!stack.peek().hasNext()) {
                            stack.pop();
                            continue;
                        }
                        FileStatus st = stack.peek().next();
                        String name = st.getPath().getName();
                        if (name.startsWith(".") || name.startsWith("_")) {
                            continue;
                        }
                        if (st.isDirectory()) {
                            if (walk) {
                                stack.push(fs.listStatusIterator(st.getPath()));
                            } else {
                                next = new Entry(st.getPath().toString(), "", true);
                            }
                        } else if (wanted(name) && (filter == null || filter.accept(st.getPath()))) {
                            next = new Entry(st.getPath().toString(), st.getLen() + ":" + st.getModificationTime(),
                                    false);
                        }
                    }
                    return next != null;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
                }
            }

            @Override
            public Entry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Entry r = next;
                next = null;
                return r;
            }
        };
    }

    private boolean wanted(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && extensions.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
