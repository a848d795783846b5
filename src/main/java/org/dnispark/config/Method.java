package org.dnispark.config;

import java.util.Map;

/** {@code dni.<job>.method}: interpolate the networks (DNI), or blend the source models' output images (pixel). */
public enum Method {
    DNI, PIXEL;

    static Method read(SettingsReader r, String key) {
        return r.choice(key, SettingsReader.choices("dni", DNI, "pixel", PIXEL));
    }

    /** "dni" or "pixel", as reports spell it. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
