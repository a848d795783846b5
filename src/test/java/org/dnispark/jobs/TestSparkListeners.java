package org.dnispark.jobs;

import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.StageInfo;

/** Helpers for tests that act on a job's progress. */
final class TestSparkListeners {
    private TestSparkListeners() {
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
