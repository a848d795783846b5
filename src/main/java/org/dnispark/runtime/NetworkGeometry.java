package org.dnispark.runtime;

import java.io.Serializable;

/**
 * The spatial arithmetic of a network, whatever it is built from (an ncnn graph, a built-in architecture, a
 * TorchScript module): what tiled inference needs to equal whole-image inference.
 *
 * @param scale            output pixels per input pixel along each axis
 * @param prePad           pixels of padding per side the network needs for an output of exactly
 *                         {@code scale * input} (waifu2x upconv_7: 7, its convolutions are unpadded)
 * @param tileContext      input pixels per side a tile needs beyond {@code prePad} so that its output equals
 *                         whole-image inference: zero for unpadded convolutions, the receptive radius otherwise
 * @param alignment        image sizes must be multiples of it for strided layers to divide exactly (Real-CUGAN: 2);
 *                         images are padded up to it and the output cropped back
 * @param globalStatistics whether the network pools over the whole image (squeeze-excitation), so that no tiling
 *                         can equal whole-image inference: such networks always run on the whole image
 */
public record NetworkGeometry(int scale, int prePad, int tileContext, int alignment, boolean globalStatistics)
        implements Serializable {
    public NetworkGeometry {
        if (scale < 1 || prePad < 0 || tileContext < 0 || alignment < 1) {
            throw new IllegalArgumentException("network geometry scale " + scale + ", pre-pad " + prePad
                    + ", context " + tileContext + ", alignment " + alignment + ": expected scale and alignment >= 1, "
                    + "pre-pad and context >= 0");
        }
    }

    /**
     * A network of "same"-padded layers: no pre-padding, a tiling context of its receptive radius rounded up to the
     * alignment (pixel-unshuffled inputs), no global statistics.
     */
    public static NetworkGeometry padded(int scale, int receptiveRadius, int alignment) {
        int context = (receptiveRadius + alignment - 1) / alignment * alignment;
        return new NetworkGeometry(scale, 0, context, alignment, false);
    }
}
