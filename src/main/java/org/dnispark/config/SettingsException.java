package org.dnispark.config;

/** Invalid configuration: the message names the key and what was expected. Raised before Spark starts. */
public final class SettingsException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public SettingsException(String key, String expected, Object got) {
        super(key + ": expected " + expected + ", got " + got);
    }

    public SettingsException(String message) {
        super(message);
    }
}
