package org.dnispark.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.BoxAndWhiskerItem;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The report's charts, drawn by JFreeChart and exported as inline SVG by JFreeSVG (text stays text, so a page can be
 * searched and tested through its DOM). Every chart gets its own id prefix: several share one page.
 */
public final class Charts {
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    /** Charts drawn on the current page so far, for their id prefixes: the same page gets the same ids. */
    private static final ThreadLocal<int[]> DRAWN = ThreadLocal.withInitial(() -> new int[1]);

    private Charts() {
    }

    /** An SVG drawing, and for a curve chart where given alphas fall on it horizontally and its plot's top/bottom. */
    public record Drawn(String svg, double[] markerX, double plotTop, double plotBottom) {
    }

    /**
     * One curve of a metric against alpha (or coefficient index): the mean, optionally the interquartile band and the
     * minimum and maximum over images.
     */
    public record Curve(String name, double[] x, double[] mean, double[] q1, double[] q3, double[] min, double[] max) {
        public static Curve meanOnly(String name, double[] x, double[] mean) {
            return new Curve(name, x, mean, null, null, null, null);
        }
    }

    /** A vertical mark on a curve chart at x, with its label (for example "best α = 0.65"). */
    public record Mark(double x, String label) {
    }

    /**
     * Curves against x: each mean as a line with points, its interquartile band shaded and its range dashed, the
     * marks as labelled vertical lines, and each curve's first and last point labelled with their values.
     * {@code markersAt} are x values whose horizontal positions the caller wants (to move a marker in the page).
     */
    public static Drawn curves(String title, String xLabel, String yLabel, List<Curve> curves, List<Mark> marks,
            boolean labelEndpoints, double[] markersAt, int width, int height) {
        YIntervalSeriesCollection bands = new YIntervalSeriesCollection();
        XYSeriesCollection ranges = new XYSeriesCollection();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Curve c : curves) {
            YIntervalSeries s = new YIntervalSeries(c.name());
            for (int i = 0; i < c.x().length; i++) {
                double l = c.q1() == null ? c.mean()[i] : c.q1()[i];
                double h = c.q3() == null ? c.mean()[i] : c.q3()[i];
                s.add(c.x()[i], c.mean()[i], l, h);
                lo = Math.min(lo, Math.min(l, c.min() == null ? l : c.min()[i]));
                hi = Math.max(hi, Math.max(h, c.max() == null ? h : c.max()[i]));
            }
            bands.addSeries(s);
            if (c.min() != null) {
                XYSeries mn = new XYSeries(c.name() + " min", false);
                XYSeries mx = new XYSeries(c.name() + " max", false);
                for (int i = 0; i < c.x().length; i++) {
                    mn.add(c.x()[i], c.min()[i]);
                    mx.add(c.x()[i], c.max()[i]);
                }
                ranges.addSeries(mn);
                ranges.addSeries(mx);
            }
        }
        NumberAxis xAxis = new NumberAxis(xLabel);
        NumberAxis yAxis = new NumberAxis(yLabel);
        yAxis.setAutoRangeIncludesZero(false);
        if (Double.isFinite(lo) && hi > lo) {
            double pad = (hi - lo) * 0.08;
            yAxis.setRange(lo - pad, hi + pad);
        }
        DeviationRenderer mean = new DeviationRenderer(true, true);
        XYPlot plot = new XYPlot(bands, xAxis, yAxis, mean);
        for (int i = 0; i < curves.size(); i++) {
            Color c = PALETTE[i % PALETTE.length];
            mean.setSeriesPaint(i, c);
            mean.setSeriesFillPaint(i, c);
            mean.setSeriesStroke(i, new BasicStroke(2f));
        }
        mean.setAlpha(0.18f);
        if (ranges.getSeriesCount() > 0) {
            XYLineAndShapeRenderer dashed = new XYLineAndShapeRenderer(true, false);
            int k = 0;
            for (int i = 0; i < curves.size(); i++) {
                if (curves.get(i).min() == null) {
                    continue;
                }
                for (int j = 0; j < 2; j++, k++) {
                    dashed.setSeriesPaint(k, PALETTE[i % PALETTE.length]);
                    dashed.setSeriesStroke(k, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                            new float[] {4f, 3f}, 0f));
                    dashed.setSeriesVisibleInLegend(k, false);
                }
            }
            plot.setDataset(1, ranges);
            plot.setRenderer(1, dashed);
        }
        for (Mark m : marks) {
            ValueMarker v = new ValueMarker(m.x(), new Color(0x444444), new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            v.setLabel(m.label());
            v.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            v.setLabelAnchor(m.x() > midpoint(curves) ? RectangleAnchor.TOP_LEFT : RectangleAnchor.TOP_RIGHT);
            v.setLabelTextAnchor(m.x() > midpoint(curves) ? TextAnchor.TOP_RIGHT : TextAnchor.TOP_LEFT);
            plot.addDomainMarker(v, Layer.FOREGROUND);
        }
        if (labelEndpoints) {
            for (Curve c : curves) {
                int last = c.x().length - 1;
                plot.addAnnotation(endpointLabel(c.x()[0], c.mean()[0], TextAnchor.BOTTOM_LEFT));
                if (last > 0) {
                    plot.addAnnotation(endpointLabel(c.x()[last], c.mean()[last], TextAnchor.BOTTOM_RIGHT));
                }
            }
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        JFreeChart chart = new JFreeChart(title, TITLE, plot, curves.size() > 1);
        chart.setBackgroundPaint(Color.WHITE);
        ChartRenderingInfo info = new ChartRenderingInfo();
        String svg = svg(chart, width, height, info);
        Rectangle2D area = info.getPlotInfo().getDataArea();
        double[] xs = new double[markersAt == null ? 0 : markersAt.length];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = xAxis.valueToJava2D(markersAt[i], area, plot.getDomainAxisEdge());
        }
        return new Drawn(svg, xs, area.getMinY(), area.getMaxY());
    }

    private static double midpoint(List<Curve> curves) {
        double[] x = curves.get(0).x();
        return (x[0] + x[x.length - 1]) / 2;
    }

    private static XYTextAnnotation endpointLabel(double x, double y, TextAnchor anchor) {
        XYTextAnnotation a = new XYTextAnnotation(" " + number(y) + " ", x, y);
        a.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        a.setTextAnchor(anchor);
        return a;
    }

    /** Three significant decimals for PSNR, four for SSIM-like values (below 1.5). */
    static String number(double v) {
        return String.format(Locale.ROOT, Math.abs(v) < 1.5 ? "%.4f" : "%.2f", v);
    }

    /** Vertical bars: one value per category (for example images per best alpha). */
    public static String bars(String title, String categoryLabel, String valueLabel, List<String> categories,
            double[] values, int width, int height) {
        DefaultCategoryDataset d = new DefaultCategoryDataset();
        for (int i = 0; i < categories.size(); i++) {
            d.addValue(values[i], valueLabel, categories.get(i));
        }
        BarRenderer r = new BarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setSeriesPaint(0, PALETTE[0]);
        CategoryAxis x = new CategoryAxis(categoryLabel);
        if (categories.size() > 12) {
            x.setCategoryLabelPositions(CategoryLabelPositions.UP_90);
        }
        NumberAxis y = new NumberAxis(valueLabel);
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        CategoryPlot plot = new CategoryPlot(d, x, y, r);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        JFreeChart chart = new JFreeChart(title, TITLE, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        return svg(chart, width, height, null);
    }

    /** One box per category and series: whiskers from minimum to maximum, the box from q1 to q3, median and mean. */
    public record Box(String series, String category, double min, double q1, double median, double q3, double max,
            double mean) {
    }

    public static String boxes(String title, String valueLabel, List<Box> boxes, double lower, int width, int height) {
        DefaultBoxAndWhiskerCategoryDataset d = new DefaultBoxAndWhiskerCategoryDataset();
        for (Box b : boxes) {
            d.add(new BoxAndWhiskerItem(b.mean(), b.median(), b.q1(), b.q3(), b.min(), b.max(), null, null,
                    List.of()), b.series(), b.category());
        }
        BoxAndWhiskerRenderer r = new BoxAndWhiskerRenderer();
        r.setMeanVisible(false);
        r.setMaxOutlierVisible(false);
        r.setMinOutlierVisible(false);
        r.setFillBox(true);
        for (int i = 0; i < PALETTE.length; i++) {
            r.setSeriesPaint(i, PALETTE[i]);
        }
        CategoryAxis x = new CategoryAxis("layer");
        if (d.getColumnCount() > 6) {
            x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        }
        NumberAxis y = new NumberAxis(valueLabel);
        y.setRange(lower, 1.02);
        CategoryPlot plot = new CategoryPlot(d, x, y, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        ValueMarker good = new ValueMarker(0.689, new Color(0x2ca02c), new BasicStroke(1f));
        good.setLabel("0.689: paper's pairs that interpolate");
        good.setLabelAnchor(RectangleAnchor.BOTTOM_LEFT);
        good.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        plot.addRangeMarker(good);
        JFreeChart chart = new JFreeChart(title, TITLE, plot, d.getRowCount() > 1);
        chart.setBackgroundPaint(Color.WHITE);
        return svg(chart, width, height, null);
    }

    /** Lines over categories (the Fig. 3/4 series: one line per layer, and over all layers). */
    public record Line(String name, double[] values) {
    }

    public static JFreeChart categoryLines(String title, String valueLabel, List<String> categories, List<Line> lines,
            double lower, double upper) {
        DefaultCategoryDataset d = new DefaultCategoryDataset();
        for (Line l : lines) {
            for (int i = 0; i < categories.size(); i++) {
                d.addValue(Double.isFinite(l.values()[i]) ? l.values()[i] : null, l.name(), categories.get(i));
            }
        }
        LineAndShapeRenderer r = new LineAndShapeRenderer(true, true);
        for (int i = 0; i < lines.size(); i++) {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            r.setSeriesStroke(i, new BasicStroke(i >= lines.size() - 2 ? 3f : 1.5f));
        }
        NumberAxis y = new NumberAxis(valueLabel);
        y.setRange(lower, upper);
        CategoryPlot plot = new CategoryPlot(d, new CategoryAxis("model"), y, r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        JFreeChart chart = new JFreeChart(title, TITLE, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** A chart as a PNG-ready image (for report files beside the HTML). */
    public static BufferedImage image(JFreeChart chart, int width, int height) {
        return chart.createBufferedImage(width, height);
    }

    /** Starts a page: chart ids count from zero again on this thread. */
    static void startPage() {
        DRAWN.get()[0] = 0;
    }

    /** A chart as an SVG element of the given size, scaling with the page. */
    public static String svg(JFreeChart chart, int width, int height, ChartRenderingInfo info) {
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        g.setDefsKeyPrefix("c" + (DRAWN.get()[0]++) + "-");
        chart.draw(g, new Rectangle2D.Double(0, 0, width, height), info);
        String element = g.getSVGElement();
        // fixed pixel size from JFreeSVG; a viewBox lets the page scale the chart to its column
        return element.replaceFirst("<svg ", "<svg viewBox=\"0 0 " + width + " " + height
                + "\" preserveAspectRatio=\"xMinYMin meet\" ");
    }
}
