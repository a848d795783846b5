package org.dnispark.jobs;

import java.io.IOException;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;

import org.dnispark.image.RgbImage;

/** The sweep search's images, decoded once and kept by Spark between its points' stages. */
final class SearchImages {
    private SearchImages() {
    }

    /**
     * An image decoded once for the stages of a sweep's search (Spark keeps these between stages, in memory and
     * spilling to disk), or the reason it was rejected.
     */
    record Decoded(String name, String uri, RgbImage input, RgbImage truth, String reason) implements Serializable {
        boolean accepted() {
            return reason == null;
        }
    }

    /** Reads and decodes each task, one at a time, rejecting what a pass would reject (with the same messages). */
    record Decoder(ExecutorPlan plan, BlockWork work) implements FlatMapFunction<Iterator<ImageTask>, Decoded> {
        @Override
        public Iterator<Decoded> call(Iterator<ImageTask> tasks) {
            Configuration conf = plan.hadoopConf();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return tasks.hasNext();
                }

                @Override
                public Decoded next() {
                    ImageTask task = tasks.next();
                    String name = task.name();
                    String uri = task.input();
                    if (task.refusal() != null) {
                        return new Decoded(name, uri, null, null, task.refusal());
                    }
                    try {
                        BlockWork.Pending pending = work.read(task, plan, conf);
                        String over = pending.overBudget(plan,
                                (plan.pixel ? plan.weights.sources() + 1 : 1) + work.outputsKept(),
                                work.truthBytesPerPixel());
                        if (over != null) {
                            return new Decoded(name, uri, null, null, over);
                        }
                        BlockWork.Item item = work.decode(pending, plan);
                        return new Decoded(name, uri, item.input, item.truth, null);
                    } catch (IOException | IllegalArgumentException e) {
                        return new Decoded(name, uri, null, null, e.getMessage());
                    } catch (OutOfMemoryError e) {
                        throw TaskMemory.exhausted(e, List.of(name), plan.inference.memory().blockBytes());
                    }
                }
            };
        }
    }
}
