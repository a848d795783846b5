package org.dnispark.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

/**
 * The one way every command reads its settings: typed getters that check a key's value and throw a
 * {@link SettingsException} naming the key, what was expected and what was found. Numbers must be finite; integers
 * must be whole and in range; choices must be one of the names listed.
 */
public final class SettingsReader {
    private final Config config;

    public SettingsReader(Config resolved) {
        this.config = resolved;
    }

    public Config config() {
        return config;
    }

    private ConfigValue value(String key) {
        try {
            return config.getValue(key);
        } catch (ConfigException.Missing e) {
            throw new SettingsException(key, "a value", "nothing (the key is missing)");
        }
    }

    public String string(String key) {
        ConfigValue v = value(key);
        if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
            throw new SettingsException(key, "a string", v.render());
        }
        return String.valueOf(v.unwrapped()).trim();
    }

    public String nonBlank(String key, String expected) {
        ConfigValue v = value(key);
        if (v.valueType() != ConfigValueType.STRING) {
            throw new SettingsException(key, expected, v.render());
        }
        String s = string(key);
        if (s.isEmpty()) {
            throw new SettingsException(key, expected, "an empty string");
        }
        return s;
    }

    public List<String> strings(String key) {
        try {
            return List.copyOf(config.getStringList(key));
        } catch (ConfigException.WrongType e) {
            throw new SettingsException(key, "a list of strings", value(key).render());
        }
    }

    public boolean bool(String key) {
        try {
            return config.getBoolean(key);
        } catch (ConfigException.WrongType e) {
            throw new SettingsException(key, "true or false", value(key).render());
        }
    }

    /** A finite number. */
    public double number(String key) {
        Number n;
        try {
            n = config.getNumber(key);
        } catch (ConfigException.WrongType e) {
            throw new SettingsException(key, "a number", value(key).render());
        }
        if (!Double.isFinite(n.doubleValue())) {
            throw new SettingsException(key, "a finite number", value(key).render());
        }
        return n.doubleValue();
    }

    /** A finite number in [min, max]. */
    public double numberIn(String key, double min, double max) {
        double v = number(key);
        if (v < min || v > max) {
            throw new SettingsException(key, "a number in [" + min + ", " + max + "]", v);
        }
        return v;
    }

    /** An integer (a whole number) in [min, max]. */
    public long longIn(String key, long min, long max) {
        double d = number(key);
        Number n = config.getNumber(key);
        boolean whole = n instanceof Long || n instanceof Integer || d == Math.rint(d) && Math.abs(d) < 0x1p53;
        if (!whole || n.longValue() < min || n.longValue() > max) {
            throw new SettingsException(key, min == Long.MIN_VALUE && max == Long.MAX_VALUE ? "an integer"
                    : "an integer in " + min + ".." + max, value(key).render());
        }
        return n.longValue();
    }

    public int intIn(String key, int min, int max) {
        return (int) longIn(key, min, max);
    }

    /** Choices in the order the error lists them: {@code choices("cpu", CPU, "gpu", GPU)}. */
    @SuppressWarnings("unchecked")
    public static <T> Map<String, T> choices(Object... namesAndValues) {
        Map<String, T> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put((String) namesAndValues[i], (T) namesAndValues[i + 1]);
        }
        return m;
    }

    /** A duration ({@code "5s"}, {@code "500ms"}, {@code 0}) in milliseconds, in [min, max]. */
    public long millisIn(String key, long min, long max) {
        long v;
        try {
            v = config.getDuration(key, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            throw new SettingsException(key, "a duration such as 5s, 500ms or 0", value(key).render());
        }
        if (v < min || v > max) {
            throw new SettingsException(key, "a duration from " + min + " to " + max + " ms", value(key).render());
        }
        return v;
    }

    /** A size in bytes ({@code 268435456}, {@code "256m"}, {@code "1g"}) in [min, max]. */
    public long bytesIn(String key, long min, long max) {
        long v;
        try {
            v = config.getBytes(key);
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            throw new SettingsException(key, "a size in bytes such as 268435456, 256m or 1g", value(key).render());
        }
        if (v < min || v > max) {
            throw new SettingsException(key, "a size from " + min + " to " + max + " bytes", value(key).render());
        }
        return v;
    }

    /** One of {@code choices}' keys (exact spelling); the error lists them. */
    public <T> T choice(String key, Map<String, T> choices) {
        String s = string(key);
        T v = choices.get(s);
        if (v == null) {
            List<String> names = new ArrayList<>(choices.keySet());
            String expected = names.size() == 1 ? names.get(0) : String.join(", ", names.subList(0, names.size() - 1))
                    + " or " + names.get(names.size() - 1);
            throw new SettingsException(key, expected, "'" + s + "'");
        }
        return v;
    }

    /** A value parsed by {@code parser}, whose IllegalArgumentException becomes an error naming the key. */
    public <T> T parsed(String key, Function<String, T> parser, String expected) {
        String s = string(key);
        try {
            return parser.apply(s);
        } catch (IllegalArgumentException e) {
            throw new SettingsException(key, expected, "'" + s + "'");
        }
    }

    /** A list of finite numbers. */
    public List<Double> numbers(String key) {
        List<Double> out = new ArrayList<>();
        for (Object x : list(key)) {
            if (!(x instanceof Number) || !Double.isFinite(((Number) x).doubleValue())) {
                throw new SettingsException(key, "a list of numbers (finite)", value(key).render());
            }
            out.add(((Number) x).doubleValue());
        }
        return out;
    }

    /** A list of lists of finite numbers, such as {@code [[0.5, 0.5], [1, 0]]}. */
    public List<double[]> numberRows(String key, String example) {
        List<double[]> out = new ArrayList<>();
        for (Object row : list(key)) {
            if (!(row instanceof List)) {
                throw new SettingsException(key, "a list of number lists such as " + example, value(key).render());
            }
            List<?> r = (List<?>) row;
            double[] v = new double[r.size()];
            for (int i = 0; i < v.length; i++) {
                if (!(r.get(i) instanceof Number) || !Double.isFinite(((Number) r.get(i)).doubleValue())) {
                    throw new SettingsException(key, "a list of number lists such as " + example,
                            value(key).render());
                }
                v[i] = ((Number) r.get(i)).doubleValue();
            }
            out.add(v);
        }
        return out;
    }

    private List<?> list(String key) {
        try {
            return config.getList(key).unwrapped();
        } catch (ConfigException.WrongType e) {
            throw new SettingsException(key, "a list", value(key).render());
        }
    }

    /** A sub-tree of free-form string settings (quoted dotted keys unquoted), such as {@code dni.spark.hadoop}. */
    public Map<String, String> flatStrings(String key) {
        Config sub;
        try {
            sub = config.getConfig(key);
        } catch (ConfigException.WrongType e) {
            throw new SettingsException(key, "an object of settings", value(key).render());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : sub.entrySet()) {
            out.put(e.getKey().replace("\"", ""), String.valueOf(e.getValue().unwrapped()));
        }
        return Collections.unmodifiableMap(out);
    }

    /** Any other Typesafe Config problem (wrong type deep inside an object, say) as a settings error. */
    public static SettingsException wrap(ConfigException e) {
        return new SettingsException(e.getMessage());
    }
}
