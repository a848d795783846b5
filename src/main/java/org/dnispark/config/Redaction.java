package org.dnispark.config;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;

/**
 * Masks secrets wherever the project writes text: manifests, reports and error messages. By key (any setting whose
 * name says it holds a secret: {@code fs.s3a.secret.key}, {@code fs.azure.account.key.<account>},
 * {@code fs.s3a.encryption.key}, {@code fs.gs.auth.service.account.private.key}, passwords, tokens, credentials) and
 * by value: the values of those keys and of the standard credential environment variables are masked wherever they
 * appear, even under another key (a value substituted from the environment into {@code dni.spark.app-name}) or
 * inside a message. Values shorter than {@link #MIN_SECRET} characters are not treated as secrets (masking "true"
 * or "1" everywhere would garble every text).
 */
public final class Redaction {
    static final String MASK = "***";
    static final int MIN_SECRET = 6;
    /** Environment variables that hold credentials for the stores this project talks to. */
    static final List<String> CREDENTIAL_VARIABLES = List.of("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
            "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AZURE_STORAGE_KEY", "AZURE_STORAGE_SAS_TOKEN",
            "AZURE_CLIENT_SECRET", "GOOGLE_API_KEY", "HADOOP_CREDSTORE_PASSWORD");
    /** Every secret value seen in this JVM, longest first, so that a secret containing another is masked whole. */
    private static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();

    static {
        remember(environmentSecrets(System.getenv()));
    }

    private Redaction() {
    }

    /** The resolved {@code dni} tree as formatted JSON, with every secret masked by key and by value. */
    public static String render(Config resolved) {
        return render(resolved, System.getenv());
    }

    static String render(Config resolved, Map<String, String> env) {
        Config dni = resolved.getConfig("dni");
        Set<String> secrets = new TreeSet<>(environmentSecrets(env));
        Config out = dni;
        for (Map.Entry<String, ConfigValue> e : dni.entrySet()) {
            if (secretKey(e.getKey())) {
                if (e.getValue().valueType() == ConfigValueType.STRING) {
                    secrets.add((String) e.getValue().unwrapped());
                }
                out = out.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(MASK));
            }
        }
        remember(secrets);
        return maskValues(out.root().render(ConfigRenderOptions.concise().setFormatted(true)), secrets);
    }

    /** {@code text} with every secret value this JVM has seen (configured or in the environment) masked. */
    public static String mask(String text) {
        return text == null ? null : maskValues(text, KNOWN);
    }

    private static String maskValues(String text, Set<String> secrets) {
        String out = text;
        for (String s : secrets.stream().filter(v -> v.length() >= MIN_SECRET)
                .sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            out = out.replace(s, MASK);
        }
        return out;
    }

    private static void remember(Set<String> secrets) {
        secrets.stream().filter(v -> v.length() >= MIN_SECRET).forEach(KNOWN::add);
    }

    static Set<String> environmentSecrets(Map<String, String> env) {
        Set<String> out = new TreeSet<>();
        env.forEach((name, value) -> {
            if (value != null && (CREDENTIAL_VARIABLES.contains(name) || secretKey(name.replace('_', '.')))) {
                out.add(value);
            }
        });
        return out;
    }

    /** Whether a key names a secret: a part such as key, secret, password or token, or a credential (not a provider). */
    static boolean secretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT).replace("\"", "");
        if (k.contains("provider") || k.endsWith(".file") || k.endsWith(".path")) {
            return false;
        }
        for (String part : k.split("[.\\-_]")) {
            switch (part) {
                case "key", "keys", "secret", "secrets", "password", "passwd", "pass", "token", "credential",
                        "credentials", "sas", "signature":
                    return true;
                default:
                    if (part.endsWith("secret") || part.endsWith("password") || part.endsWith("token")) {
                        return true;
                    }
            }
        }
        return false;
    }
}
