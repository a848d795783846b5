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

    /** Scales a frame down to {@code maxHeight} pixels (never up), keeping its aspect ratio. */
    public static RgbImage thumbnail(RgbImage frame, int maxHeight) {
        if (frame.height() <= maxHeight) {
            return frame;
        }
        int h = maxHeight;
        int w = Math.max(1, (int) Math.round(frame.width() * (h / (double) frame.height())));
        BufferedImage small = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = small.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(ImageCodec.toBufferedImage(frame), 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return ImageCodec.fromBufferedImage(small);
    }

    /**
     * Places thumbnails (see {@link #thumbnail}) side by side; {@code positions} (0..1) drive the bar under each.
     */
    public static BufferedImage build(List<RgbImage> thumbnails, List<Double> positions) {
        if (thumbnails.isEmpty()) {
            throw new IllegalArgumentException("a contact strip needs at least one frame");
        }
        int fh = thumbnails.get(0).height();
        int fw = thumbnails.get(0).width();
        int n = thumbnails.size();
        BufferedImage strip = new BufferedImage(n * fw + (n + 1) * GAP, fh + 3 * GAP + BAR, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = strip.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, strip.getWidth(), strip.getHeight());
            for (int i = 0; i < n; i++) {
                int x = GAP + i * (fw + GAP);
                g.drawImage(ImageCodec.toBufferedImage(thumbnails.get(i)), x, GAP, null);
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
