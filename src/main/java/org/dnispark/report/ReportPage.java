package org.dnispark.report;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;

import org.dnispark.config.ReportSettings;
import org.dnispark.image.ContactStrip;
import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;
import org.dnispark.results.CoefficientEntry;
import org.dnispark.results.ModelEntry;
import org.dnispark.results.RunProvenance;

/**
 * {@code report.html}: one self-contained page for one or more runs. Charts are inline SVG, images inline PNG
 * (decoded and re-encoded, never copied through), the only script is the page's own slider code, and the page's
 * Content-Security-Policy forbids fetching anything: it works offline, from object storage or from a laptop.
 * Everything a run's files say is escaped before it reaches the page. The page depends only on the runs' files, so
 * the same runs give the same page.
 */
public final class ReportPage {
    static final String CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
            + "script-src 'unsafe-inline'";
    private static final ObjectMapper JSON = new ObjectMapper();

    final ReportSettings settings;
    final Configuration conf;
    final StringBuilder html = new StringBuilder();

    private ReportPage(ReportSettings settings, Configuration conf) {
        this.settings = settings;
        this.conf = conf;
    }

    /** The largest page written: runs from strangers must not be able to make a page of any size. */
    static final int MAX_PAGE_CHARS = 64 << 20;

    /** The page for these runs, in the order given. */
    public static String render(List<RunFolder> runs, ReportSettings settings, Configuration conf) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("a report needs at least one run");
        }
        Charts.startPage();
        return new ReportPage(settings, conf).page(runs);
    }

    private String page(List<RunFolder> runs) {
        List<String> names = new ArrayList<>();
        runs.forEach(r -> names.add(r.job() + " " + r.name()));
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(CSP).append("\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>dni-spark report: ").append(esc(String.join(", ", names))).append("</title>\n")
                .append("<style>").append(STYLE).append("</style></head>\n<body>\n")
                .append("<h1>dni-spark report</h1>\n<p class=\"runs\">");
        for (int i = 0; i < runs.size(); i++) {
            html.append(i == 0 ? "" : " · ").append("<a href=\"#run-").append(i).append("\">")
                    .append(esc(names.get(i))).append("</a>");
        }
        html.append("</p>\n");
        List<RunFolder> sweeps = runs.stream().filter(r -> r.job().equals("sweep")).toList();
        if (sweeps.size() > 1) {
            new SweepSection(this).comparison(sweeps);
        }
        for (int i = 0; i < runs.size(); i++) {
            RunFolder r = runs.get(i);
            html.append("<section class=\"run\" id=\"run-").append(i).append("\" data-job=\"").append(esc(r.job()))
                    .append("\">\n<h2>").append(esc(r.job())).append(": ").append(esc(r.name())).append("</h2>\n");
            Sections.of(r.job()).section().apply(this).write(r, runs);
            provenance(r);
            html.append("</section>\n");
            if (html.length() > MAX_PAGE_CHARS) {
                throw new IllegalArgumentException("the report page grew past " + (MAX_PAGE_CHARS >> 20) + " Mi "
                        + "characters at run " + r.uri() + " (" + (i + 1) + " of " + runs.size() + "); report fewer "
                        + "runs at once, or lower dni.report.images");
            }
        }
        html.append("<script>").append(SCRIPT).append("</script>\n</body></html>\n");
        return html.toString();
    }

    // ---- provenance ----

    private void provenance(RunFolder r) {
        RunProvenance m = r.manifest();
        html.append("<details class=\"provenance\" open><summary>Provenance</summary><table>");
        row("run", m.runId());
        row("output", m.output());
        row("fingerprint", m.fingerprint());
        row("started / finished", m.started() + " / " + m.finished());
        int i = 1;
        for (ModelEntry model : m.models()) {
            List<String> files = new ArrayList<>();
            for (ModelEntry.FileDigest f : model.files()) {
                files.add((f.uri() == null ? "" : f.uri() + " ") + "sha256 " + f.sha256());
            }
            row("model " + i++, model.reference() + " (" + model.format() + "): " + String.join("; ", files));
        }
        row("method", m.method());
        row("alpha convention", m.alphaConvention());
        List<String> coefficients = new ArrayList<>();
        for (CoefficientEntry c : m.coefficients()) {
            // the vector as the manifest writes it: [1.0,0.0]
            coefficients.add(c.label() + " " + c.toJson().get("coefficients"));
        }
        if (!coefficients.isEmpty()) {
            row("coefficients", coefficients.size() + ": " + String.join(", ", coefficients));
        }
        if (m.degradation() != null) {
            row("degradation", m.degradation().isEmpty() ? "none" : String.join(", ", m.degradation()));
        }
        row("seed", m.seed());
        row("network", m.network());
        row("spark", m.spark() == null ? "" : m.spark().toString());
        List<String> versions = new ArrayList<>();
        m.versions().forEach((k, v) -> versions.add(k + " " + v));
        row("versions", String.join(", ", versions));
        row("git commit", m.gitCommit() + (m.gitDirty() ? " (dirty tree)" : ""));
        html.append("</table></details>\n");
    }

    // ---- helpers ----

    void row(String key, String value) {
        if (value == null || value.isEmpty()) {
            return;
        }
        html.append("<tr><th>").append(esc(key)).append("</th><td>").append(esc(value)).append("</td></tr>");
    }

    static String modelNames(RunFolder r) {
        List<String> names = new ArrayList<>();
        r.manifest().models().forEach(m -> names.add(shortName(m.reference())));
        return String.join(" → ", names);
    }

    static String shortName(String reference) {
        return reference.substring(reference.lastIndexOf('/') + 1);
    }

    /** An image of a run as a PNG data URI: decoded (which validates it), scaled to {@code maxHeight}, re-encoded. */
    static String pngData(byte[] bytes, String name, int maxHeight) {
        RgbImage img = ImageCodec.decode(bytes, name);
        if (maxHeight > 0 && img.height() > maxHeight) {
            img = ContactStrip.thumbnail(img, maxHeight);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(ImageCodec.encodePng(img));
    }

    /** JSON for a script element: no "<" can close it early. */
    static String scriptJson(Object value) {
        try {
            return JSON.writeValueAsString(value).replace("<", "\\u003c");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Text and attribute values, escaped for HTML. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    /** The page, as UTF-8. */
    public static byte[] bytes(String page) {
        return page.getBytes(StandardCharsets.UTF_8);
    }

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1280px;padding:0 1em;color:#222}
            h1{margin-bottom:.2em} h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
            table{border-collapse:collapse;font-size:.9em} th,td{padding:.2em .6em;border-bottom:1px solid #eee;
            text-align:left;vertical-align:top} .headline th{width:16em}
            .charts{display:flex;flex-wrap:wrap;gap:1em} figure{margin:.5em 0} figure.chart{flex:1 1 540px;
            max-width:620px} figure.chart.wide{max-width:100%;flex-basis:100%} svg{width:100%;height:auto}
            figure.adaptive-frames{display:flex;flex-wrap:wrap;gap:.5em} figure.adaptive-frames figcaption{flex-basis:100%}
            .panel{text-align:center;font-size:90%}
            figcaption{font-size:.85em;color:#555} .pair{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}
            .pair img.frame{image-rendering:pixelated;max-width:100%} .pair .curve{flex:1 1 420px;max-width:560px}
            img.strip{max-width:100%;display:block;margin-top:.4em} .slider{display:block;margin:.4em 0}
            .slider input{width:min(520px,80%);vertical-align:middle} .provenance td{word-break:break-all}
            .filters img{max-width:100%;image-rendering:pixelated}
            """;

    private static final String SCRIPT = """
            document.querySelectorAll('figure.transition').forEach(function (fig) {
              var data = JSON.parse(fig.querySelector('script.frames').textContent);
              var img = fig.querySelector('img.frame');
              var range = fig.querySelector('input.alpha');
              var label = fig.querySelector('.alpha-label');
              var marker = fig.querySelector('line.alpha-marker');
              function show(k) {
                img.src = data.src[k];
                img.setAttribute('data-index', String(k));
                label.textContent = data.labels[k];
                if (marker && data.x) {
                  marker.setAttribute('x1', data.x[k]);
                  marker.setAttribute('x2', data.x[k]);
                }
              }
              range.addEventListener('input', function () { show(Number(range.value)); });
              show(Number(range.value));
            });
            """;
}
