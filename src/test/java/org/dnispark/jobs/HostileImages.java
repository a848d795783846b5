package org.dnispark.jobs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Valid images built to hurt: a CMYK JPEG and huge PNGs that are small on disk (for tests and the corpus script). */
public final class HostileImages {
    private HostileImages() {
    }

    /** A 4-component JPEG, which the JDK decodes as CMYK (and would turn into wrong colours). */
    public static byte[] cmykJpeg() throws IOException {
        java.awt.image.WritableRaster r = java.awt.image.Raster.createInterleavedRaster(
                java.awt.image.DataBuffer.TYPE_BYTE, 48, 48, 4, null);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 48; x++) {
                r.setPixel(x, y, new int[] {200, 30, 30, 0});
            }
        }
        javax.imageio.ImageWriter w = javax.imageio.ImageIO.getImageWritersByFormatName("jpeg").next();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream o = javax.imageio.ImageIO.createImageOutputStream(bytes)) {
            w.setOutput(o);
            w.write(null, new javax.imageio.IIOImage(r, null, null), w.getDefaultWriteParam());
        }
        return bytes.toByteArray();
    }

    /** A valid greyscale PNG of the given size, all black: a few hundred kilobytes for 10000x10000. */
    public static byte[] blankPng(int width, int height) throws IOException {
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", ihdr.array());
        java.io.ByteArrayOutputStream idat = new java.io.ByteArrayOutputStream();
        try (java.util.zip.DeflaterOutputStream z = new java.util.zip.DeflaterOutputStream(idat)) {
            byte[] row = new byte[width + 1];
            for (int y = 0; y < height; y++) {
                z.write(row);
            }
        }
        chunk(png, "IDAT", idat.toByteArray());
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

}
