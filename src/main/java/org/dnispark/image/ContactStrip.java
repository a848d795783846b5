package org.dnispark.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Lays out the frames of one transition side by side, left (first coefficient) to right (last), each scaled to a
 * common height, with a thin gap and a progress bar under every frame showing how far along the transition it is.
 */
public final class ContactStrip {
    private static final int GAP = 4;
    private static final int BAR = 6;

    private ContactStrip() {
    }

    public static BufferedImage build(List<RgbImage> frames, List<Double> positions, int frameHeight) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("a contact strip needs at least one frame");
        }
        RgbImage first = frames.get(0);
        int fh = Math.min(frameHeight, first.height());
        int fw = Math.max(1, (int) Math.round(first.width() * (fh / (double) first.height())));
        int n = frames.size();
        BufferedImage strip = new BufferedImage(n * fw + (n + 1) * GAP, fh + 3 * GAP + BAR, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = strip.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, strip.getWidth(), strip.getHeight());
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            for (int i = 0; i < n; i++) {
                int x = GAP + i * (fw + GAP);
                g.drawImage(ImageCodec.toBufferedImage(frames.get(i)), x, GAP, fw, fh, null);
                g.setColor(new Color(210, 210, 210));
                g.fillRect(x, fh + 2 * GAP, fw, BAR);
                g.setColor(new Color(40, 90, 200));
                g.fillRect(x, fh + 2 * GAP, (int) Math.round(fw * clamp(positions.get(i))), BAR);
            }
        } finally {
            g.dispose();
        }
        return strip;
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
