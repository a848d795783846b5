package org.dnispark.config;

import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

import com.typesafe.config.Config;

import org.dnispark.core.IntegerBufferRule;
import org.dnispark.core.Interpolation;
import org.dnispark.formats.ReadLimits;
import org.dnispark.models.ModelPolicy;
import org.dnispark.provenance.Placement;
import org.dnispark.storage.RunOutput;

/**
 * What every command that reads models shares: the model references and the cache they resolve against, the
 * interpolation options, the storage settings, the output policy, and the resolved configuration for the manifest.
 *
 * @param models         {@code dni.models}: at least two references (the identity records their digests instead)
 * @param modelCache     {@code dni.model-cache}, its default resolved
 * @param interpolation  {@code dni.interpolation.*}
 * @param align          {@code dni.align.*}: permutation alignment of every model to the first
 * @param renormalise    {@code dni.renormalise.*}: REPAIR-style renormalisation of interpolated networks
 * @param hadoop         {@code dni.spark.hadoop}: settings for every URI
 * @param ifExists       {@code dni.output.if-exists}
 * @param renderedConfig the resolved {@code dni} tree as JSON, secrets masked
 * @param modelPolicy    {@code dni.trust-code} and {@code dni.limits.*}: what model files may ask for (refusals
 *                       only; a model that is read at all gives the same results whatever the limits)
 */
public record CommonSettings(@Placement List<String> models, @Placement String modelCache,
        Interpolation.Options interpolation, AlignSettings align, RenormaliseSettings renormalise,
        @Placement Map<String, String> hadoop, @Placement RunOutput.Policy ifExists,
        @Placement String renderedConfig, @Placement ModelPolicy modelPolicy) {

    public static CommonSettings read(SettingsReader r) {
        List<String> models = r.strings("dni.models");
        if (models.size() < 2) {
            throw new SettingsException("dni.models", "at least two model paths", models);
        }
        Interpolation.Options options = new Interpolation.Options(r.bool("dni.interpolation.allow-extrapolation"),
                r.parsed("dni.interpolation.integer-buffers", IntegerBufferRule::parse,
                        "largest-coefficient, require-equal or round"));
        return new CommonSettings(models, modelCache(r), options, AlignSettings.read(r), RenormaliseSettings.read(r),
                hadoop(r), ifExists(r), Redaction.render(r.config()),
                modelPolicy(r));
    }

    /** {@code dni.trust-code} and {@code dni.limits.*} for model files. */
    public static ModelPolicy modelPolicy(SettingsReader r) {
        return new ModelPolicy(new ReadLimits(r.bytesIn("dni.limits.model-bytes", 1, Integer.MAX_VALUE - 64L),
                r.longIn("dni.limits.pickle-objects", 1, Long.MAX_VALUE),
                r.intIn("dni.limits.pickle-depth", 1, 10_000), r.intIn("dni.limits.zip-entries", 1, Integer.MAX_VALUE),
                r.intIn("dni.limits.zip-ratio", 1, Integer.MAX_VALUE)), r.bool("dni.trust-code"));
    }

    /** {@code dni.output.if-exists}: refuse, overwrite or resume. */
    public static RunOutput.Policy ifExists(SettingsReader r) {
        return r.choice("dni.output.if-exists", SettingsReader.choices("refuse", RunOutput.Policy.REFUSE,
                "overwrite", RunOutput.Policy.OVERWRITE, "resume", RunOutput.Policy.RESUME));
    }

    /** {@code dni.model-cache}, or the default folder of {@link org.dnispark.models.ModelCache}. */
    public static String modelCache(SettingsReader r) {
        String cache = r.string("dni.model-cache");
        return cache.isBlank() ? defaultModelCache() : cache;
    }

    public static String defaultModelCache() {
        return org.dnispark.models.ModelCache.defaultFolder().toString();
    }

    /** {@code dni.spark.hadoop} as plain keys and values. */
    public static Map<String, String> hadoop(SettingsReader r) {
        return r.flatStrings("dni.spark.hadoop");
    }

    /** For commands given a resolved configuration directly. */
    public static Map<String, String> hadoop(Config c) {
        return hadoop(new SettingsReader(c));
    }
}
