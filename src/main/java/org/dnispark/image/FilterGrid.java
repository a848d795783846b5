package org.dnispark.image;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

import org.dnispark.core.NamedTensor;

/**
 * First-layer filters drawn as an image grid, as in the paper's Fig. 2 and 3: one labelled block per model, one tile
 * per filter (output channel), each tile stretched to its own minimum (black) and maximum (white) so that shapes can
 * be compared across models. Three-input-channel filters are drawn in colour, others from their first channel.
 */
public final class FilterGrid {
    private static final int GAP = 2;
    private static final int LABEL_WIDTH = 150;

    private FilterGrid() {
    }

    /** One block of the grid: a label and a weight tensor [out, in, k, k]. */
    public record Block(String label, NamedTensor weight) {
    }

    public static BufferedImage draw(List<Block> blocks, int columns, int cell) {
        if (blocks.isEmpty() || columns < 1 || cell < 1) {
            throw new IllegalArgumentException("filter grid needs blocks, columns >= 1 and cell >= 1");
        }
        int width = 0;
        int height = 0;
        int[] blockHeights = new int[blocks.size()];
        for (int b = 0; b < blocks.size(); b++) {
            int[] s = blocks.get(b).weight().shape();
            if (s.length != 4) {
                throw new IllegalArgumentException("filter grid: '" + blocks.get(b).weight().name() + "' has shape "
                        + blocks.get(b).weight().shapeString() + ", expected [out, in, k, k]");
            }
            int tileW = s[3] * cell + GAP;
            int rows = (s[0] + columns - 1) / columns;
            width = Math.max(width, LABEL_WIDTH + Math.min(columns, s[0]) * tileW + GAP);
            blockHeights[b] = Math.max(rows * (s[2] * cell + GAP) + GAP, 16);
            height += blockHeights[b] + 2 * GAP;
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(48, 48, 48));
        g.fillRect(0, 0, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int top = GAP;
        for (int b = 0; b < blocks.size(); b++) {
            NamedTensor w = blocks.get(b).weight();
            int[] s = w.shape();
            float[] v = w.floatValues();
            int k2 = s[2] * s[3];
            boolean colour = s[1] == 3;
            g.setColor(Color.WHITE);
            g.drawString(blocks.get(b).label(), GAP * 2, top + 14);
            for (int f = 0; f < s[0]; f++) {
                int base = f * s[1] * k2;
                int channels = colour ? 3 : 1;
                float lo = Float.POSITIVE_INFINITY;
                float hi = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < channels * k2; i++) {
                    lo = Math.min(lo, v[base + i]);
                    hi = Math.max(hi, v[base + i]);
                }
                float range = hi > lo ? hi - lo : 1f;
                int x0 = LABEL_WIDTH + (f % columns) * (s[3] * cell + GAP);
                int y0 = top + (f / columns) * (s[2] * cell + GAP);
                for (int y = 0; y < s[2]; y++) {
                    for (int x = 0; x < s[3]; x++) {
                        int[] c = new int[3];
                        for (int ch = 0; ch < 3; ch++) {
                            float val = v[base + (colour ? ch : 0) * k2 + y * s[3] + x];
                            c[ch] = Math.round(255 * (val - lo) / range);
                        }
                        g.setColor(new Color(c[0], c[1], c[2]));
                        g.fillRect(x0 + x * cell, y0 + y * cell, cell, cell);
                    }
                }
            }
            top += blockHeights[b] + 2 * GAP;
        }
        g.dispose();
        return img;
    }
}
