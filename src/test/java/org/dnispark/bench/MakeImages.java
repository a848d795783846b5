package org.dnispark.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.dnispark.image.ImageCodec;
import org.dnispark.image.RgbImage;

/**
 * Benchmark inputs: {@code count} seeded random crops of {@code size} x {@code size} pixels from the photos in a
 * folder, written as PNG ({@code img00000.png}, ...). Usage: {@code MakeImages SRC DST COUNT SIZE}.
 */
public final class MakeImages {
    private MakeImages() {
    }

    public static void main(String[] args) throws IOException {
        Path src = Path.of(args[0]);
        Path dst = Path.of(args[1]);
        int count = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        List<RgbImage> photos = new ArrayList<>();
        try (Stream<Path> s = Files.list(src)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".png")).sorted().toList()) {
                photos.add(ImageCodec.decode(Files.readAllBytes(p), p.toString()));
            }
        }
        Files.createDirectories(dst);
        Random rnd = new Random(20190616L);
        for (int i = 0; i < count; i++) {
            RgbImage p = photos.get(i % photos.size());
            int x = rnd.nextInt(Math.max(1, p.width() - size));
            int y = rnd.nextInt(Math.max(1, p.height() - size));
            Files.write(dst.resolve(String.format("img%05d.png", i)), ImageCodec.encodePng(p.cropReplicate(x, y,
                    size, size)));
        }
        System.out.println("wrote " + count + " images of " + size + "x" + size + " to " + dst);
    }
}
