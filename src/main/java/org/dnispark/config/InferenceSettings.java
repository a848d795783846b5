package org.dnispark.config;

import org.dnispark.provenance.Placement;

/**
 * How images run through the network.
 *
 * @param tileSize     {@code dni.inference.tile-size}: largest tile side in input pixels
 * @param torchThreads {@code dni.inference.torch-threads} per task
 * @param device       {@code dni.inference.device}: cpu or gpu
 * @param batchSize    {@code dni.inference.batch-size}: equal tiles per forward pass
 * @param padding      {@code dni.inference.padding}: how image borders are padded
 * @param memory       what a task holds at once (results do not depend on it)
 * @param checkFinite  {@code dni.debug.check-finite}: stop at the first layer that makes NaN or infinity
 */
public record InferenceSettings(int tileSize, int torchThreads, String device, int batchSize, Padding padding,
        @Placement Memory memory, @Placement boolean checkFinite) implements java.io.Serializable {

    /**
     * How much a task holds at once.
     *
     * @param blockImages     {@code dni.inference.block-images}: images decoded and run together
     * @param blockBytes      {@code dni.inference.block-bytes}: the per-task budget for decoded images and their
     *                        outputs; an image that alone needs more is rejected with the reason
     * @param broadcastBudget {@code dni.inference.broadcast-budget}: the most interpolated weights broadcast at
     *                        once; above it the source models are broadcast and tasks interpolate
     */
    public record Memory(int blockImages, long blockBytes, long broadcastBudget) implements java.io.Serializable {
    }

    /** Border padding: edge replication (waifu2x) or reflection (Real-CUGAN). */
    public enum Padding {
        REPLICATE, REFLECT;

        public boolean reflect() {
            return this == REFLECT;
        }
    }

    public static InferenceSettings read(SettingsReader r) {
        return new InferenceSettings(r.intIn("dni.inference.tile-size", 16, 8192),
                r.intIn("dni.inference.torch-threads", 1, 256),
                r.choice("dni.inference.device", SettingsReader.choices("cpu", "cpu", "gpu", "gpu")),
                r.intIn("dni.inference.batch-size", 1, 4096),
                r.choice("dni.inference.padding",
                        SettingsReader.choices("replicate", Padding.REPLICATE, "reflect", Padding.REFLECT)),
                new Memory(r.intIn("dni.inference.block-images", 1, 4096),
                        r.bytesIn("dni.inference.block-bytes", 1L << 20, 1L << 40),
                        r.bytesIn("dni.inference.broadcast-budget", 0, 1L << 40)),
                r.bool("dni.debug.check-finite"));
    }
}
