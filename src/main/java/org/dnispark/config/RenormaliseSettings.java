package org.dnispark.config;

import java.io.Serializable;

/**
 * {@code dni.renormalise}: REPAIR-style renormalisation of every interpolated network
 * ({@link org.dnispark.runtime.Renormalisation}), measured on a few images. Part of the run's identity.
 *
 * @param enabled {@code dni.renormalise.enabled}
 * @param images  {@code dni.renormalise.images}: a folder of images; empty means the run's {@code dni.input.images}
 * @param count   {@code dni.renormalise.count}: how many of them (the first in name order)
 * @param crop    {@code dni.renormalise.crop}: the side of the centre crop taken from each, before
 *                {@code dni.degradation} is applied as the run applies it
 */
public record RenormaliseSettings(boolean enabled, String images, int count, int crop) implements Serializable {

    public static RenormaliseSettings read(SettingsReader r) {
        return new RenormaliseSettings(r.bool("dni.renormalise.enabled"), r.string("dni.renormalise.images"),
                r.intIn("dni.renormalise.count", 1, 1000), r.intIn("dni.renormalise.crop", 8, 4096));
    }
}
