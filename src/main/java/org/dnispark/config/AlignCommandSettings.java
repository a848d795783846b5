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
 * @param align     {@code dni.align} as the command uses it: always enabled
 * @param output    {@code dni.align.output}: the URI prefix of the files written
 */
public record AlignCommandSettings(@Placement CommonSettings common, AlignSettings align,
        @Placement String output) {

    public static AlignCommandSettings from(Config resolved) {
        try {
            SettingsReader r = new SettingsReader(resolved);
            CommonSettings common = CommonSettings.read(r);
            if (common.models().size() != 2) {
                throw new SettingsException("dni.models", "two models: the reference, then the model to align",
                        common.models());
            }
            AlignSettings a = common.align();
            return new AlignCommandSettings(common, new AlignSettings(true, a.method(), a.maxPasses(), a.seed(),
                    a.images(), a.count(), a.crop()), r.nonBlank("dni.align.output", "an output URI prefix"));
        } catch (ConfigException e) {
            throw SettingsReader.wrap(e);
        }
    }
}
