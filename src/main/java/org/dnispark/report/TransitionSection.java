package org.dnispark.report;

import static org.dnispark.report.ReportPage.esc;
import static org.dnispark.report.ReportPage.pngData;
import static org.dnispark.report.ReportPage.scriptJson;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.dnispark.results.CoefficientEntry;
import org.dnispark.results.TransitionResults;

/** A transition on the page: its frames and strips, beside the matching sweep's curve when there is one. */
final class TransitionSection extends Section {
    TransitionSection(ReportPage page) {
        super(page);
    }

    @Override
    void write(RunFolder run, List<RunFolder> runs) {
        TransitionResults t = results(run);
        transition(run, t, matchingSweep(run, t.method(), runs.stream().filter(r -> r.job().equals("sweep"))
                .toList()));
    }

    /** A transition run's results through their type, an unreadable summary naming the run. */
    private static TransitionResults results(RunFolder r) {
        try {
            return TransitionResults.of(r.results());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("run " + r.uri() + ": " + e.getMessage(), e);
        }
    }

    /** The first sweep among the runs of the same models and method, or the configured one, or none. */
    private RunFolder matchingSweep(RunFolder transition, String method, List<RunFolder> sweeps) {
        List<RunFolder> candidates = new ArrayList<>(sweeps);
        if (!settings.sweep().isEmpty()) {
            candidates.add(RunFolder.read(settings.sweep(), conf, true));
        }
        for (RunFolder s : candidates) {
            if (s.modelDigests().equals(transition.modelDigests())
                    && SweepCurve.of(s).results().method().equals(method)) {
                return s;
            }
        }
        return null;
    }

    private void transition(RunFolder r, TransitionResults t, RunFolder sweep) {
        List<CoefficientEntry> coefficients = r.manifest().coefficients();
        int n = coefficients.size();
        if (n == 0) {
            throw new IllegalArgumentException("run " + r.uri() + ": manifest.json lists no coefficients");
        }
        boolean alpha = coefficients.stream().allMatch(c -> c.alpha() != null);
        List<String> labels = new ArrayList<>();
        double[] xs = new double[n];
        for (int k = 0; k < n; k++) {
            CoefficientEntry c = coefficients.get(k);
            labels.add((alpha ? "α = " : "coefficient ") + c.label());
            xs[k] = alpha ? c.alpha() : c.index();
        }
        html.append("<div class=\"headline\"><table>");
        row("method", t.method());
        row("frames", t.frames() + " (" + n + " coefficients, " + t.strips() + " images, " + t.rejected()
                + " rejected)");
        if (sweep != null) {
            row("curve beside the frames", "sweep " + sweep.name() + " of the same models");
        }
        html.append("</table></div>\n");
        String curveSvg = null;
        double[] markerX = null;
        double top = 0;
        double bottom = 0;
        if (sweep != null) {
            SweepCurve c = SweepCurve.of(sweep);
            String metric = c.results().metric();
            if (c.alpha() == alpha) {
                Charts.Drawn d = Charts.curves("Sweep " + sweep.name() + ": " + title(metric), c.xLabel(),
                        title(metric),
                        List.of(c.curve("mean", metric)), List.of(new Charts.Mark(c.x(c.results().best()),
                                c.bestLabel())), true, xs, 520, 340);
                curveSvg = d.svg();
                markerX = d.markerX();
                top = d.plotTop();
                bottom = d.plotBottom();
            }
        }
        List<String> images = r.firstImages(settings.images(), conf);
        for (String image : images) {
            String[] files = r.frames(image, n, conf);
            List<String> sources = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                sources.add(files[k] == null ? "" : pngData(r.bytes(files[k], conf), r.uri() + "/" + files[k],
                        settings.frameHeight()));
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("src", sources);
            data.put("labels", labels);
            if (markerX != null) {
                data.put("x", markerX);
            }
            html.append("<figure class=\"transition\" data-image=\"").append(esc(image)).append("\">\n")
                    .append("<figcaption>").append(esc(image)).append("</figcaption>\n<div class=\"pair\">")
                    .append("<img class=\"frame\" alt=\"").append(esc(image)).append(" at the chosen coefficient\" "
                            + "data-index=\"0\" src=\"").append(sources.get(0)).append("\">");
            if (curveSvg != null) {
                String marker = String.format(Locale.ROOT, "<line class=\"alpha-marker\" x1=\"%.2f\" x2=\"%.2f\" "
                        + "y1=\"%.2f\" y2=\"%.2f\" stroke=\"#d62728\" stroke-width=\"3\"/>", markerX[0], markerX[0],
                        top, bottom);
                html.append("<div class=\"curve\">").append(curveSvg.replace("</svg>", marker + "</svg>"))
                        .append("</div>");
            }
            html.append("</div>\n<label class=\"slider\"><input type=\"range\" class=\"alpha\" min=\"0\" max=\"")
                    .append(n - 1).append("\" step=\"1\" value=\"0\" aria-label=\"coefficient of ").append(esc(image))
                    .append("\"> <span class=\"alpha-label\">").append(esc(labels.get(0))).append("</span></label>\n")
                    .append("<script type=\"application/json\" class=\"frames\">").append(scriptJson(data))
                    .append("</script>\n");
            String strip = "strips/" + image + ".png";
            if (r.has(strip, conf)) {
                html.append("<img class=\"strip\" alt=\"strip of ").append(esc(image)).append("\" src=\"")
                        .append(pngData(r.bytes(strip, conf), r.uri() + "/" + strip, 0)).append("\">\n");
            }
            html.append("</figure>\n");
        }
        long more = r.images() - images.size();
        if (more > 0) {
            html.append("<p>").append(more).append(" more image").append(more == 1 ? "" : "s")
                    .append(" (dni.report.images = ").append(settings.images()).append("): their frames, strips and "
                            + "animations are in the run folder, listed in frames.csv.</p>\n");
        }
    }
}
