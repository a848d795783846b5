package org.dnispark.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * A small line chart for reports (the paper's correlation curves): categorical x positions, one polyline with
 * markers per series, a y range given by the caller, a legend. Plain Java2D, no chart library.
 */
public final class LineChart {
    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
        new Color(148, 103, 189), new Color(255, 127, 14), new Color(140, 86, 75), new Color(227, 119, 194),
        new Color(127, 127, 127), new Color(188, 189, 34), new Color(23, 190, 207)};

    private LineChart() {
    }

    /** One line: its legend label and one y value per x label (NaN leaves a gap). */
    public record Series(String label, double[] values) {
    }

    public static BufferedImage draw(String title, String yLabel, List<String> xLabels, List<Series> series,
            double yMin, double yMax) {
        if (xLabels.isEmpty() || !(yMax > yMin)) {
            throw new IllegalArgumentException("line chart needs x labels and yMax > yMin");
        }
        for (Series s : series) {
            if (s.values().length != xLabels.size()) {
                throw new IllegalArgumentException("series '" + s.label() + "' has " + s.values().length
                        + " values for " + xLabels.size() + " x labels");
            }
        }
        int width = 920;
        int legendRows = series.size();
        int plotTop = 40;
        int plotLeft = 70;
        int plotW = 440;
        int plotH = 300;
        int height = Math.max(plotTop + plotH + 60, plotTop + 18 * legendRows + 20);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(title, plotLeft, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawRect(plotLeft, plotTop, plotW, plotH);
        // ticks every 0.1 when that gives 2..10 of them, else quarters
        int ticks = (int) Math.round((yMax - yMin) / 0.1);
        ticks = Math.abs((yMax - yMin) - ticks * 0.1) < 1e-9 && ticks >= 2 && ticks <= 10 ? ticks : 4;
        for (int t = 0; t <= ticks; t++) {
            double v = yMin + (yMax - yMin) * t / ticks;
            int y = plotTop + plotH - (int) Math.round(plotH * (v - yMin) / (yMax - yMin));
            g.setColor(new Color(225, 225, 225));
            g.drawLine(plotLeft + 1, y, plotLeft + plotW - 1, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.2f", v), plotLeft - 40, y + 4);
        }
        int n = xLabels.size();
        int[] xs = new int[n];
        for (int i = 0; i < n; i++) {
            xs[i] = plotLeft + (int) Math.round(plotW * (i + 0.5) / n);
            g.drawString(xLabels.get(i), xs[i] - g.getFontMetrics().stringWidth(xLabels.get(i)) / 2,
                    plotTop + plotH + 16);
        }
        g.drawString(yLabel, 8, plotTop - 8);
        g.setStroke(new BasicStroke(2f));
        for (int s = 0; s < series.size(); s++) {
            Color c = PALETTE[s % PALETTE.length];
            g.setColor(c);
            double[] v = series.get(s).values();
            int prevX = -1;
            int prevY = -1;
            for (int i = 0; i < n; i++) {
                if (!Double.isFinite(v[i])) {
                    prevX = -1;
                    continue;
                }
                double clamped = Math.max(yMin, Math.min(yMax, v[i]));
                int y = plotTop + plotH - (int) Math.round(plotH * (clamped - yMin) / (yMax - yMin));
                g.fillOval(xs[i] - 3, y - 3, 7, 7);
                if (prevX >= 0) {
                    g.drawLine(prevX, prevY, xs[i], y);
                }
                prevX = xs[i];
                prevY = y;
            }
            int ly = plotTop + 10 + 18 * s;
            g.drawLine(plotLeft + plotW + 20, ly, plotLeft + plotW + 40, ly);
            g.setColor(Color.BLACK);
            g.drawString(series.get(s).label(), plotLeft + plotW + 46, ly + 4);
        }
        g.dispose();
        return img;
    }
}
