package org.dnispark.report;

import static org.dnispark.report.ReportPage.esc;
import static org.dnispark.report.ReportPage.modelNames;
import static org.dnispark.report.ReportPage.pngData;

import java.util.ArrayList;
import java.util.List;

import org.dnispark.metrics.Metric;
import org.dnispark.metrics.MetricRegistry;
import org.dnispark.results.SearchResults;
import org.dnispark.results.SweepResults;
import org.dnispark.results.SweepResults.CoefficientScores;

/**
 * A sweep on the page: its headline (best coefficient, endpoints, dip, per-image figures, search), each metric's
 * mean against alpha with its spread, each image's best, the worst images, every coefficient, and the region-adaptive
 * composites; and several sweeps compared on one chart per metric.
 */
final class SweepSection extends Section {
    /** The result columns of every metric there is, in the registry's order. */
    static final List<String> METRICS = MetricRegistry.all().stream().map(Metric::column).toList();

    SweepSection(ReportPage page) {
        super(page);
    }

    @Override
    void write(RunFolder run, List<RunFolder> runs) {
        sweep(run);
    }

    private void sweep(RunFolder r) {
        SweepCurve c = SweepCurve.of(r);
        SweepResults s = c.results();
        CoefficientScores best = s.best();
        String metric = s.metric();
        html.append("<div class=\"headline\"><table>");
        row("method", s.method());
        row("scored by", title(metric) + ", mean over images, " + s.metricBetter() + " is better (crop border "
                + s.cropBorder() + ")");
        html.append("<tr><th>best coefficient</th><td class=\"best\" data-best-label=\"")
                .append(esc(best.label())).append("\">").append(esc(best.label()))
                .append(": ").append(Charts.number(best.mean(metric))).append("</td></tr>");
        row("first / last", Charts.number(s.first().mean(metric)) + " / " + Charts.number(s.last().mean(metric)));
        row("dip below the worse endpoint", Charts.number(s.dipBelowEndpoints()));
        row("largest step between neighbours", Charts.number(s.maxNeighbourStep()));
        if (s.perImageBestMean() != null) {
            row("mean when every image gets its own best", Charts.number(s.perImageBestMean()));
        }
        SweepResults.Predictor p = s.predictor();
        if (p != null && p.meanAtPredicted() != null) {
            row("mean at each image's predicted alpha", Charts.number(p.meanAtPredicted()) + " (alpha = "
                    + Charts.number(p.intercept()) + " + " + Charts.number(p.slope()) + " x input noise, fitted on "
                    + p.fittedOnImages() + " other images)");
        }
        if (s.search() != null) {
            SearchResults q = s.search();
            row("search", q.method() + " to " + q.tolerance() + ": " + q.evaluations().size() + " points, "
                    + q.inferences() + " inferences (" + q.gridInferences() + " for the " + q.gridPoints()
                    + "-point grid)");
        }
        row("images", s.images() + " scored, " + s.rejected() + " rejected");
        html.append("</table></div>\n<div class=\"charts\">\n");
        List<Charts.Mark> marks = List.of(new Charts.Mark(c.x(best), c.bestLabel() + " (by " + title(metric) + ")"));
        for (String m : METRICS) {
            if (!c.scored(m)) {
                continue; // runs from before SSIM was scored
            }
            Charts.Drawn d = Charts.curves(title(m), c.xLabel(), title(m),
                    List.of(c.curve("mean", m)), marks, true, null, 560, 360);
            html.append("<figure class=\"chart\" data-metric=\"").append(m).append("\">").append(d.svg())
                    .append("<figcaption>Mean over images (line), interquartile range (band), lowest and highest "
                            + "image (dashed).</figcaption></figure>\n");
        }
        html.append("</div>\n");
        List<SweepResults.Preference> perImage = s.bestPerImage();
        if (!perImage.isEmpty()) {
            List<String> cats = new ArrayList<>();
            double[] counts = new double[perImage.size()];
            int i = 0;
            for (SweepResults.Preference b : perImage) {
                cats.add(b.label());
                counts[i++] = b.images();
            }
            html.append("<div class=\"charts\"><figure class=\"chart\">").append(Charts.bars("Each image's best "
                    + "coefficient (" + title(metric) + ")", c.alpha() ? "alpha"
                    : "coefficient", "images", cats, counts, 560, 320)).append("</figure>\n");
        } else {
            html.append("<div class=\"charts\">");
        }
        if (!s.worstImages().isEmpty()) {
            html.append("<figure class=\"table\"><figcaption>Worst images at the best coefficient (")
                    .append(esc(best.label())).append(")</figcaption><table class=\"worst\"><tr>"
                            + "<th>image</th><th>at best</th><th>own best</th><th>there</th></tr>");
            for (SweepResults.WorstImage w : s.worstImages()) {
                html.append("<tr><td>").append(esc(w.image())).append("</td><td>")
                        .append(Charts.number(w.atBest())).append("</td><td>")
                        .append(esc(w.ownBestLabel())).append("</td><td>")
                        .append(Charts.number(w.ownBest())).append("</td></tr>");
            }
            html.append("</table></figure>");
        }
        html.append("</div>\n<details><summary>Every coefficient</summary><table class=\"coefficients\"><tr>"
                + "<th>index</th><th>label</th>");
        List<String> scored = METRICS.stream().filter(c::scored).toList();
        for (String m : scored) {
            html.append("<th>").append(title(m)).append("</th>");
        }
        html.append("<th>images</th></tr>");
        for (CoefficientScores row : c.rows()) {
            html.append("<tr><td>").append(row.index()).append("</td><td>")
                    .append(esc(row.label())).append("</td>");
            for (String m : scored) {
                html.append("<td>").append(row.means().containsKey(m) ? Charts.number(row.mean(m)) : "")
                        .append("</td>");
            }
            html.append("<td>").append(row.images()).append("</td></tr>");
        }
        html.append("</table></details>\n");
        regionAdaptive(r, s, metric);
    }

    /**
     * The sweep's region-adaptive composites: their means beside the best single alpha's, and for each framed image
     * its input, alpha map, the output at the best alpha and the composite, side by side.
     */
    private void regionAdaptive(RunFolder r, SweepResults s, String metric) {
        SweepResults.RegionAdaptive a = s.regionAdaptive();
        if (a == null) {
            return;
        }
        CoefficientScores best = s.best();
        html.append("<section class=\"adaptive\"><h3>Region-adaptive alpha</h3><table>");
        row("levels", levels(a.levels()));
        row("flat / textured alpha", a.flatAlpha() + " / " + a.texturedAlpha() + " (window " + a.smoothing()
                + " px)");
        for (String m : METRICS) {
            if (a.means().containsKey(m)) {
                row(title(m), "region-adaptive " + Charts.number(number(a.means().get(m)))
                        + ", best single alpha (" + best.label() + ") " + Charts.number(best.mean(m)));
            }
        }
        html.append("</table>\n");
        for (SweepResults.AdaptiveFrame f : a.frames()) {
            String dir = f.folder();
            String image = f.image();
            html.append("<figure class=\"adaptive-frames\" data-image=\"").append(esc(image)).append("\">");
            String[][] panels = {
                {dir + "/input.png", "input"},
                {dir + "/alpha-map.png", "alpha map (black 0, white 1)"},
                {f.bestFrame(), "best single alpha " + best.label() + ": "
                        + Charts.number(number(f.atBest().get(metric)))},
                {dir + "/region-adaptive.png", "region-adaptive: " + Charts.number(number(f.scores().get(metric)))},
            };
            for (String[] panel : panels) {
                try {
                    html.append("<div class=\"panel\"><img alt=\"").append(esc(panel[1])).append("\" src=\"")
                            .append(pngData(r.bytes(panel[0], conf), r.uri() + "/" + panel[0], settings.frameHeight()))
                            .append("\"><div>").append(esc(panel[1])).append("</div></div>");
                } catch (RuntimeException e) {
                    html.append("<div class=\"panel missing\">").append(esc(panel[0])).append(": ")
                            .append(esc(e.getMessage())).append("</div>");
                }
            }
            html.append("<figcaption>").append(esc(image)).append(" (")
                    .append(esc(title(metric))).append(")</figcaption></figure>\n");
        }
        html.append("</section>\n");
    }

    /** A figure that may be null (not scored): NaN, which the charts' number format shows as such. */
    private static double number(Double v) {
        return v == null ? Double.NaN : v;
    }

    /** The levels as the summary lists them. */
    private static String levels(List<Double> levels) {
        return levels.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }

    /** Several sweeps on one chart per metric, and side by side in a table. */
    void comparison(List<RunFolder> sweeps) {
        html.append("<section class=\"comparison\"><h2>Sweeps compared</h2>\n<table><tr><th>run</th><th>method"
                + "</th><th>models</th><th>best</th><th>score there</th><th>dip below the worse endpoint</th>"
                + "<th>largest step</th></tr>");
        // each sweep's summary read once, for its row and every metric's chart
        List<SweepCurve> read = sweeps.stream().map(SweepCurve::of).toList();
        for (int i = 0; i < sweeps.size(); i++) {
            RunFolder r = sweeps.get(i);
            SweepResults s = read.get(i).results();
            String metric = s.metric();
            html.append("<tr><td>").append(esc(r.name())).append("</td><td>").append(esc(s.method()))
                    .append("</td><td>").append(esc(modelNames(r))).append("</td><td>")
                    .append(esc(s.best().label())).append("</td><td>")
                    .append(esc(title(metric))).append(' ')
                    .append(Charts.number(s.best().mean(metric))).append("</td><td>")
                    .append(Charts.number(s.dipBelowEndpoints())).append("</td><td>")
                    .append(Charts.number(s.maxNeighbourStep())).append("</td></tr>");
        }
        html.append("</table>\n<div class=\"charts\">\n");
        for (String m : METRICS) {
            List<Charts.Curve> curves = new ArrayList<>();
            String xLabel = null;
            for (int i = 0; i < sweeps.size(); i++) {
                SweepCurve c = read.get(i);
                if (!c.scored(m)) {
                    continue;
                }
                xLabel = xLabel == null ? c.xLabel() : xLabel;
                curves.add(Charts.Curve.meanOnly(sweeps.get(i).name() + " (" + c.results().method() + ")", c.x(),
                        c.means(m)));
            }
            if (curves.isEmpty()) {
                continue;
            }
            html.append("<figure class=\"chart\" data-metric=\"").append(m).append("\">")
                    .append(Charts.curves(title(m) + ", mean over images", xLabel, title(m),
                            curves, List.of(), true, null, 560, 380).svg()).append("</figure>\n");
        }
        html.append("</div></section>\n");
    }
}
