package org.dnispark.jobs;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import org.dnispark.image.RgbImage;
import org.dnispark.runtime.TiledPredictor;

/**
 * One task's work, streamed: the partition's images are read one at a time and gathered into blocks of at most
 * {@code block-images} images and {@code block-bytes} bytes; for each block every coefficient's weights are swapped
 * in once and the block runs through; its rows leave as an iterator before the next block is read. Nothing the task
 * holds grows with the number of images in its partition, and each image is decoded once, never once per
 * coefficient. One predictor per task, closed when the stream ends or the task does.
 */
final class PartitionRunner implements FlatMapFunction<Iterator<ImageTask>, Row> {
    private final ExecutorPlan plan;
    private final BlockWork work;

    PartitionRunner(ExecutorPlan plan, BlockWork work) {
        this.plan = plan;
        this.work = work;
    }

    /** One stage of the search: accepted decoded images, run at the plan's coefficients. */
    static FlatMapFunction<Iterator<SearchImages.Decoded>, Row> overDecoded(ExecutorPlan plan, BlockWork work) {
        PartitionRunner runner = new PartitionRunner(plan, work);
        return images -> runner.new Stream(images, true);
    }

    /** Where a task's time goes. */
    private enum Phase { DECODE, WEIGHTS, FORWARD, OUTPUTS, WARMUP }

    @Override
    public Iterator<Row> call(Iterator<ImageTask> tasks) {
        return new Stream(tasks, false);
    }

    private final class Stream implements Iterator<Row> {
        /** Listed images, or (for the search) accepted {@link Decoded} images. */
        private final Iterator<?> tasks;
        private final boolean decoded;
        private final Configuration conf = plan.hadoopConf();
        private final StructType schema = Outcomes.schema(work.columns());
        private final ArrayDeque<Row> ready = new ArrayDeque<>();
        private final List<BlockWork.Item> block = new ArrayList<>();
        private final int outputsHeld;
        private long blockBytes;
        /** The image being read into the block, for a message if that is what runs out of memory. */
        private String reading;
        private TiledPredictor predictor;
        /** Whether the predictor was built by this task and has not run yet (its first pass is warm-up). */
        private boolean warming;
        /**
         * Task time spent reading and decoding the block being gathered: the steady state's decoding, or warm-up's
         * when the block turns out to be a new predictor's first (the inputs of its first inferences).
         */
        private long blockDecodeNanos;
        private String poolKey;

        Stream(Iterator<?> tasks, boolean decoded) {
            this.tasks = tasks;
            this.decoded = decoded;
            this.outputsHeld = (plan.pixel ? plan.weights.sources() + 1 : 1) + work.outputsKept();
            TaskContext context = TaskContext.get();
            if (context != null) {
                // a task that fails or is killed closes its predictor instead of returning it to the pool
                context.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) c -> close(false));
            }
        }

        @Override
        public boolean hasNext() {
            try {
                while (ready.isEmpty()) {
                    if (tasks.hasNext()) {
                        if (decoded) {
                            add((SearchImages.Decoded) tasks.next());
                        } else {
                            take((ImageTask) tasks.next());
                        }
                    } else if (!block.isEmpty()) {
                        flush();
                    } else {
                        close(true);
                        return false;
                    }
                }
                return true;
            } catch (OutOfMemoryError e) {
                throw outOfMemory(e);
            }
        }

        /** The block took the memory: it is dropped, and the task fails with a message (see {@link TaskMemory}). */
        private RuntimeException outOfMemory(OutOfMemoryError e) {
            List<String> names = new ArrayList<>();
            block.forEach(i -> names.add(i.name));
            if (reading != null && !names.contains(reading)) {
                names.add(reading);
            }
            block.clear();
            ready.clear();
            blockBytes = 0;
            return TaskMemory.exhausted(e, names, plan.inference.memory().blockBytes());
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }

        /** Reads one task into the block, or rejects it; a full block is run first. */
        private void take(ImageTask task) {
            String name = task.name();
            String uri = task.input();
            reading = name;
            if (task.refusal() != null) {
                reject(name, uri, task.refusal());
                return;
            }
            BlockWork.Pending pending;
            long t0 = System.nanoTime();
            try {
                pending = work.read(task, plan, conf);
            } catch (IOException | IllegalArgumentException e) {
                reject(name, uri, e.getMessage());
                return;
            } finally {
                blockDecodeNanos += System.nanoTime() - t0;
            }
            String over = pending.overBudget(plan, outputsHeld, work.truthBytesPerPixel());
            if (over != null) {
                reject(name, uri, over);
                return;
            }
            long bytes = pending.footprint(plan.scale(), plan.downscale(), outputsHeld, work.truthBytesPerPixel());
            if (block.size() >= plan.inference.memory().blockImages()
                    || blockBytes + bytes > plan.inference.memory().blockBytes()) {
                flush();
            }
            long t1 = System.nanoTime();
            try {
                block.add(work.decode(pending, plan));
                blockBytes += bytes;
            } catch (IllegalArgumentException e) {
                reject(name, uri, e.getMessage());
            }
            blockDecodeNanos += System.nanoTime() - t1;
        }

        /** Adds an image the search decoded earlier to the block; a full block is run first. */
        private void add(SearchImages.Decoded image) {
            reading = image.name();
            // the decoded pixels and the outputs alive at once, as floats (no decoder buffers: it is decoded)
            long in = (long) image.input().width() * image.input().height();
            long gt = image.truth() == null ? 0 : (long) image.truth().width() * image.truth().height();
            long bytes = 12 * (in + gt + in * plan.scale() * plan.scale() * outputsHeld) + work.truthBytesPerPixel() * gt;
            if (block.size() >= plan.inference.memory().blockImages()
                    || blockBytes + bytes > plan.inference.memory().blockBytes()) {
                flush();
            }
            block.add(new BlockWork.Item(image.name(), image.uri(), image.input(), image.truth()));
            blockBytes += bytes;
        }

        private void reject(String name, String uri, String reason) {
            Row r = Outcomes.rejected(schema, name, uri, reason);
            if (plan.checkpoint != null) {
                Checkpoint.write(plan, conf, name, List.of(r));
            }
            ready.add(r);
            if (plan.progress != null) {
                // a rejected image is done too: progress counts work left, and it leaves none
                plan.progress.images().add(1);
                plan.progress.inferences().add(plan.coefficients.size());
            }
        }

        /** Runs the block at every coefficient and moves its rows to the output. */
        private void flush() {
            if (predictor == null) {
                long t0 = System.nanoTime();
                String[] gpus = ExecutorPlan.gpus();
                poolKey = plan.runKey + "|" + plan.inference.device() + java.util.Arrays.toString(gpus);
                predictor = PredictorPool.take(poolKey, () -> {
                    warming = true;
                    return plan.newPredictor(gpus);
                });
                if (warming) {
                    time(Phase.WARMUP, t0);
                    if (plan.progress != null) {
                        plan.progress.predictorsCreated().add(1);
                    }
                }
            }
            // a new predictor's first block: reading it is part of its first inferences, so of warm-up
            add(warming ? Phase.WARMUP : Phase.DECODE, blockDecodeNanos);
            blockDecodeNanos = 0;
            try {
                int k = plan.coefficients.size();
                List<RgbImage> inputs = new ArrayList<>();
                block.forEach(item -> inputs.add(item.input));
                if (!plan.pixel) {
                    for (int c = 0; c < k; c++) {
                        long t0 = System.nanoTime();
                        predictor.setWeights(plan.weights.coefficient(c));
                        // a new predictor's first weights are its first inference's too
                        long t1 = time(warming ? Phase.WARMUP : Phase.WEIGHTS, t0);
                        List<RgbImage> outputs = predictor.runAll(inputs);
                        // a new predictor's first pass and its outputs (the scoring's first, interpreted, run) are
                        // its warm-up
                        Phase phase = forwardPhase();
                        long t2 = time(phase, t1);
                        for (int i = 0; i < block.size(); i++) {
                            work.accept(block.get(i), c, outputs.get(i), plan, conf, block.get(i).rows);
                        }
                        time(phase == Phase.WARMUP ? Phase.WARMUP : Phase.OUTPUTS, t2);
                    }
                } else {
                    RgbImage[][] outputs = new RgbImage[block.size()][plan.weights.sources()];
                    for (int m = 0; m < plan.weights.sources(); m++) {
                        long t0 = System.nanoTime();
                        predictor.setWeights(plan.weights.source(m));
                        long t1 = time(warming ? Phase.WARMUP : Phase.WEIGHTS, t0);
                        List<RgbImage> out = predictor.runAll(inputs);
                        time(forwardPhase(), t1);
                        for (int i = 0; i < block.size(); i++) {
                            outputs[i][m] = out.get(i);
                        }
                    }
                    long t0 = System.nanoTime();
                    for (int c = 0; c < k; c++) {
                        for (int i = 0; i < block.size(); i++) {
                            BlockWork.Item item = block.get(i);
                            work.accept(item, c, RgbImage.weightedSum(outputs[i], plan.coefficients.get(c).vector()), plan, conf,
                                    item.rows);
                        }
                    }
                    time(Phase.OUTPUTS, t0);
                }
                long t0 = System.nanoTime();
                for (BlockWork.Item item : block) {
                    work.finish(item, plan, conf, item.rows);
                    if (plan.checkpoint != null) {
                        Checkpoint.write(plan, conf, item.name, item.rows);
                    }
                    ready.addAll(item.rows);
                }
                time(Phase.OUTPUTS, t0);
                if (plan.progress != null) {
                    plan.progress.images().add(block.size());
                    plan.progress.inferences().add((long) block.size() * k);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            block.clear();
            blockBytes = 0;
        }

        /**
         * The phase of the forward pass just made: a new predictor's first counts as warm-up (with its inferences and
         * their outputs), every later one as the steady state.
         */
        private Phase forwardPhase() {
            if (!warming) {
                return Phase.FORWARD;
            }
            warming = false;
            if (plan.progress != null) {
                plan.progress.warmupInferences().add(block.size());
            }
            return Phase.WARMUP;
        }

        /** Adds the time since {@code start} to a phase's counter; returns now. */
        private long time(Phase phase, long start) {
            long now = System.nanoTime();
            add(phase, now - start);
            return now;
        }

        private void add(Phase phase, long nanos) {
            if (plan.progress != null && nanos > 0) {
                (switch (phase) {
                    case DECODE -> plan.progress.decodeNanos();
                    case WEIGHTS -> plan.progress.weightNanos();
                    case FORWARD -> plan.progress.forwardNanos();
                    case WARMUP -> plan.progress.warmupNanos();
                    default -> plan.progress.outputNanos();
                }).add(nanos);
            }
        }

        /** Returns the predictor to the pool after a stream that ended normally, else closes it. */
        private void close(boolean finished) {
            // images read but never run (every one rejected after the last block)
            add(Phase.DECODE, blockDecodeNanos);
            blockDecodeNanos = 0;
            if (predictor != null) {
                if (finished) {
                    PredictorPool.give(poolKey, predictor);
                } else {
                    predictor.close();
                }
                predictor = null;
            }
        }
    }
}
