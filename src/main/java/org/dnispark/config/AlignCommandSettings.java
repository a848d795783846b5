package org.dnispark.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import org.dnispark.provenance.Placement;

/**
 * The align command: model B ({@code dni.models[1]}) permuted to line up with the reference A ({@code dni.models[0]}).
 *
 * @param common    models, cache, storage and output policy (the identity records the models' digests; the
 *                  interpolation options and {@code dni.align.enabled} do not concern this command, which always
 *                  aligns)
 * @param maxPasses {@code dni.align.max-passes}
 * @param seed      {@code dni.align.seed}
 * @param output    {@code dni.align.output}: the URI prefix of the files written
 */
public record AlignCommandSettings(@Placement CommonSettings common, int maxPasses, long seed,
        @Placement String output) {

    public static AlignCommandSettings from(Config resolved) {
        try {
            SettingsReader r = new SettingsReader(resolved);
            CommonSettings common = CommonSettings.read(r);
            if (common.models().size() != 2) {
                throw new SettingsException("dni.models", "two models: the reference, then the model to align",
                        common.models());
            }
            return new AlignCommandSettings(common, common.align().maxPasses(), common.align().seed(), r.nonBlank("dni.align.output", "an output URI prefix"));
        } catch (ConfigException e) {
            throw SettingsReader.wrap(e);
        }
    }
}
