package org.dnispark.config;

import java.util.Locale;
import java.util.Map;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;

/** Masks secrets in the configuration that manifests record. */
public final class Redaction {
    static final String MASK = "***";

    private Redaction() {
    }

    /** The resolved {@code dni} tree as formatted JSON, with every value under a secret-looking key masked. */
    public static String render(Config resolved) {
        Config dni = resolved.getConfig("dni");
        Config out = dni;
        for (Map.Entry<String, ConfigValue> e : dni.entrySet()) {
            if (secretKey(e.getKey())) {
                out = out.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(MASK));
            }
        }
        return out.root().render(ConfigRenderOptions.concise().setFormatted(true));
    }

    static boolean secretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("secret") || k.contains("password") || k.contains("access.key") || k.contains("token")
                || k.contains("credential") && !k.endsWith("provider");
    }
}
