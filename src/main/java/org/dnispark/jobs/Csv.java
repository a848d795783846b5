package org.dnispark.jobs;

import java.nio.charset.StandardCharsets;

/** RFC 4180 CSV: fields with commas, quotes or line breaks are quoted; a line ends with {@code \n}. */
final class Csv {
    private final StringBuilder sb = new StringBuilder();

    Csv(String... header) {
        row((Object[]) header);
    }

    /** Appends a line; for the small files the driver writes (one line per coefficient). */
    Csv row(Object... fields) {
        sb.append(line(fields)).append('\n');
        return this;
    }

    byte[] bytes() {
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One line without its line break. */
    static String line(Object... fields) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                out.append(',');
            }
            String f = String.valueOf(fields[i]);
            if (f.contains(",") || f.contains("\"") || f.contains("\n") || f.contains("\r")) {
                f = "\"" + f.replace("\"", "\"\"") + "\"";
            }
            out.append(f);
        }
        return out.toString();
    }

    /** A score as reports print it: four decimals, or inf. */
    static String decimals4(double v) {
        return Double.isInfinite(v) ? "inf" : String.format(java.util.Locale.ROOT, "%.4f", v);
    }

    /** SSIM values, in [-1, 1], with six decimals (four would hide the differences between neighbouring alphas). */
    static String decimals6(double v) {
        return String.format(java.util.Locale.ROOT, "%.6f", v);
    }
}
