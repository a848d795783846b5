package org.dnispark;

import com.typesafe.config.Config;

import org.dnispark.config.ImageJobSettings;
import org.dnispark.config.SweepSettings;
import org.dnispark.config.TransitionSettings;

/** Settings of either Spark job from a configuration, typed by the call site (tests only). */
public final class TestJobs {
    private TestJobs() {
    }

    /** The two jobs over images. */
    public enum Job {
        TRANSITION, SWEEP
    }

    @SuppressWarnings("unchecked")
    public static <T extends ImageJobSettings> T settings(Job job, Config config) {
        return (T) (job == Job.SWEEP ? SweepSettings.from(config) : TransitionSettings.from(config));
    }
}
