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
 *
 * <p>Names are matched case-insensitively and split at camel case too ({@code secretKey}, {@code apikey},
 * {@code fs.azure.sas.token}, {@code DB_PASSWORD}, {@code PGPASSWORD}, {@code MYSQL_PWD},
 * {@code AZURE_STORAGE_CONNECTION_STRING}, {@code *_DSN}). The password of any URL with credentials
 * ({@code postgres://user:password@host}, in any variable or setting, {@code DATABASE_URL} say) is a secret too.
 * Every secret is masked in each form it can take in an output: as it is, JSON-escaped (a quote or a backslash in
 * it) and URL-encoded.
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
            } else if (e.getValue().valueType() == ConfigValueType.STRING) {
                String password = urlPassword((String) e.getValue().unwrapped());
                if (password != null) {
                    secrets.add(password);
                }
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
        Set<String> forms = new TreeSet<>();
        for (String s : secrets) {
            if (s.length() >= MIN_SECRET) {
                forms.add(s);
                forms.add(jsonEscaped(s));
                forms.add(java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8));
                forms.add(java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
            }
        }
        String out = text;
        for (String s : forms.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            out = out.replace(s, MASK);
        }
        return out;
    }

    /** {@code s} as a JSON string's contents (what Jackson writes for a quote, backslash or control character). */
    static String jsonEscaped(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** The password of a URL with credentials ({@code scheme://user:password@host...}), or null. */
    static String urlPassword(String value) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://[^/:@\\s]*:([^/@\\s]+)@")
                .matcher(value.trim());
        return m.find() ? m.group(1) : null;
    }

    private static void remember(Set<String> secrets) {
        secrets.stream().filter(v -> v.length() >= MIN_SECRET).forEach(KNOWN::add);
    }

    static Set<String> environmentSecrets(Map<String, String> env) {
        Set<String> out = new TreeSet<>();
        env.forEach((name, value) -> {
            if (value == null) {
                return;
            }
            if (CREDENTIAL_VARIABLES.contains(name) || secretKey(name.replace('_', '.'))) {
                out.add(value);
            }
            String password = urlPassword(value);
            if (password != null) {
                out.add(password);
            }
        });
        return out;
    }

    /** Whether a key names a secret: a part such as key, secret, password or token, or a credential (not a provider). */
    static boolean secretKey(String key) {
        // camel case splits like a separator: secretKey, accessKeyId, clientSecret
        String k = key.replace("\"", "").replaceAll("([a-z0-9])([A-Z])", "$1.$2").toLowerCase(Locale.ROOT);
        if (k.contains("provider") || k.endsWith(".file") || k.endsWith(".path")) {
            return false;
        }
        String[] parts = k.split("[.\\-_]");
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            switch (part) {
                case "key", "keys", "secret", "secrets", "password", "passwd", "pass", "pwd", "token", "credential",
                        "credentials", "sas", "signature", "dsn", "connectionstring":
                    return true;
                case "connection", "conn":
                    if (i + 1 < parts.length && (parts[i + 1].equals("string") || parts[i + 1].equals("str"))) {
                        return true;
                    }
                    break;
                default:
                    if (part.endsWith("secret") || part.endsWith("password") || part.endsWith("passwd")
                            || part.endsWith("token") || part.endsWith("apikey") || part.endsWith("secretkey")
                            || part.endsWith("accesskey") || part.endsWith("privatekey") || part.endsWith("pwd")) {
                        return true;
                    }
            }
        }
        return false;
    }
}
