package org.dnispark.models;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/**
 * Where the model cache is when {@code dni.model-cache} is empty: the one rule that {@code jobs/fetch-models.sh},
 * every job, every command and the tests follow. {@code DNI_MODEL_CACHE} when set and not blank; otherwise
 * {@code $HOME/.cache/dni-spark/models}, with the {@code HOME} of the environment, as the shell scripts use it (the
 * JVM's {@code user.home} comes from the account, which differs from {@code HOME} in containers and on CI runners);
 * {@code user.home} only when there is no {@code HOME} at all.
 */
public final class ModelCache {
    /** The variable that names the cache folder outright. */
    public static final String VARIABLE = "DNI_MODEL_CACHE";

    private ModelCache() {
    }

    /** The default cache folder for this process's environment. */
    public static Path defaultFolder() {
        return defaultFolder(System.getenv(), System.getProperty("user.home"));
    }

    /** The rule itself, for a given environment and account home. */
    static Path defaultFolder(Map<String, String> environment, String userHome) {
        String named = environment.get(VARIABLE);
        if (named != null && !named.isBlank()) {
            return Paths.get(named);
        }
        String home = environment.get("HOME");
        if (home == null || home.isBlank()) {
            home = userHome;
        }
        return Paths.get(home, ".cache", "dni-spark", "models");
    }
}
