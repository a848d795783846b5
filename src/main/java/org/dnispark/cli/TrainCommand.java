package org.dnispark.cli;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.typesafe.config.Config;

import org.dnispark.train.DenoiserTrainer;
import org.dnispark.train.TrainSettings;

/** {@code jobs/dni train}: trains or fine-tunes one denoiser, or fine-tunes a super-resolution network; progress on standard error. No Spark. */
final class TrainCommand {
    private TrainCommand() {
    }

    static Map<String, Object> run(Config c) throws IOException {
        TrainSettings settings = TrainSettings.from(c);
        Map<String, Object> summary = DenoiserTrainer.run(settings, line -> System.err.println(line));
        Map<String, Object> headline = new LinkedHashMap<>(summary);
        headline.remove("curve");
        headline.remove("training_images");
        return headline;
    }
}
