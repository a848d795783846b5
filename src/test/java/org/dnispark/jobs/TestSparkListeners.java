package org.dnispark.jobs;

import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.StageInfo;

/** Helpers for tests that act on a job's progress. */
final class TestSparkListeners {
    private TestSparkListeners() {
    }

    /** What a finished task added to the named accumulator (0 when it added nothing). */
    static long added(org.apache.spark.scheduler.SparkListenerTaskEnd end, String accumulator) {
        long sum = 0;
        for (org.apache.spark.scheduler.AccumulableInfo a
                : scala.jdk.javaapi.CollectionConverters.asJava(end.taskInfo().accumulables())) {
            if (a.name().isDefined() && a.name().get().equals(accumulator) && a.update().isDefined()) {
                sum += ((Number) a.update().get()).longValue();
            }
        }
        return sum;
    }

    /** The stage that computes a job's result: its last, the one with the highest id (stage infos are unordered). */
    static int resultStage(SparkListenerJobStart start) {
        int last = -1;
        for (StageInfo info : scala.jdk.javaapi.CollectionConverters.asJava(start.stageInfos())) {
            last = Math.max(last, info.stageId());
        }
        return last;
    }
}
