package org.dnispark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The native memory rule of {@code runtime} and {@code train} (see their package-info), checked on the compiled
 * classes: no engine array may borrow Java memory. Forbidden everywhere in the project's classes:
 * <ul>
 *   <li>an NDArray method that takes a {@code java.lang.Number} ({@code x.mul(0.2f)}: DJL wraps the scalar around a
 *       Java buffer and frees it while autograd may still hold it, the cause of issue 24);</li>
 *   <li>DJL's {@code mish} (it also computes the wrong function: {@code tanh(log2(1 + e^x))});</li>
 *   <li>{@code NDArray.set(Buffer/array)} (libtorch then points into a Java buffer);</li>
 *   <li>{@code NDManager.create} from Java values (arrays, buffers, numbers), except inside {@link Tensors}, which
 *       copies into engine memory at once.</li>
 * </ul>
 * The check reads each class file's constant pool, so it sees every call site, lambdas and method references too.
 */
class NativeMemoryRuleTest {
    /** A method referenced from a class: owner (internal name), name and descriptor. */
    record MethodRef(String owner, String name, String descriptor) {
    }

    @Test
    void noClassHandsJavaMemoryToTheEngine() throws IOException, URISyntaxException {
        Path classes = Path.of(Tensors.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> violations = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(classes.resolve("org/dnispark"))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                String cls = classes.relativize(f).toString().replace('\\', '/');
                scanned++;
                for (MethodRef r : references(f)) {
                    String why = violation(r, cls);
                    if (why != null) {
                        violations.add(cls + ": " + r.owner() + "." + r.name() + r.descriptor() + " (" + why + ")");
                    }
                }
            }
        }
        assertTrue(scanned > 100, "scanned only " + scanned + " classes under " + classes);
        assertEquals(List.of(), violations, "engine arrays that borrow Java memory; use Tensors.copyIn, "
                + "Tensors.scalar or the Ops scalar operations");
    }

    /** The checker itself: it finds what it must refuse (this package's test of the cause uses x.mul(2f)). */
    @Test
    void theCheckerSeesScalarOverloadsAndCreation() throws IOException, URISyntaxException {
        Path testClasses = Path.of(ScalarLifetimeTest.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI());
        boolean overload = false;
        try (Stream<Path> files = Files.walk(testClasses.resolve("org/dnispark/runtime"))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.getFileName().toString()
                    .startsWith("ScalarLifetimeTest"))::iterator) {
                for (MethodRef r : references(f)) {
                    overload |= violation(r, "ScalarLifetimeTest.class") != null && r.name().equals("mul");
                }
            }
        }
        assertTrue(overload, "x.mul(2f) in ScalarLifetimeTest was not found");
        Path classes = Path.of(Tensors.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<MethodRef> inTensors = references(classes.resolve("org/dnispark/runtime/Tensors.class"));
        assertTrue(inTensors.stream().anyMatch(r -> violation(r, "Other.class") != null),
                "Tensors' own create(float[]) is not seen as a creation from Java values: " + inTensors);
        assertEquals(List.of(), inTensors.stream().filter(r -> violation(r, "org/dnispark/runtime/Tensors.class")
                != null).toList());
    }

    /** Why {@code r}, referenced from class file {@code cls}, breaks the rule; null when it does not. */
    static String violation(MethodRef r, String cls) {
        boolean array = r.owner().equals("ai/djl/ndarray/NDArray") || r.owner().startsWith("ai/djl/pytorch/engine/Pt")
                && r.owner().endsWith("NDArray");
        boolean manager = r.owner().equals("ai/djl/ndarray/NDManager") || r.owner().equals(
                "ai/djl/ndarray/BaseNDManager") || r.owner().equals("ai/djl/pytorch/engine/PtNDManager");
        String params = r.descriptor().substring(1, r.descriptor().indexOf(')'));
        if (array && params.contains("Ljava/lang/Number;")) {
            return "a scalar wrapped around Java memory";
        }
        if (r.name().equals("mish") && (r.owner().equals("ai/djl/nn/Activation")
                || r.owner().startsWith("ai/djl/ndarray/internal/NDArrayEx") || r.owner().endsWith("PtNDArrayEx"))) {
            return "DJL's mish takes log base 2 and adds a Java-memory scalar; use Ops.mish";
        }
        if (array && r.name().equals("set")) {
            return "the array would point into Java memory";
        }
        if (manager && r.name().equals("create") && !params.startsWith("Lai/djl/ndarray/types/Shape;")
                && !cls.equals("org/dnispark/runtime/Tensors.class")) {
            return "created from Java values outside Tensors";
        }
        return null;
    }

    /** Every Methodref and InterfaceMethodref in a class file's constant pool. */
    static List<MethodRef> references(Path classFile) throws IOException {
        try (InputStream in = Files.newInputStream(classFile); DataInputStream d = new DataInputStream(in)) {
            if (d.readInt() != 0xCAFEBABE) {
                throw new IOException(classFile + " is not a class file");
            }
            d.readUnsignedShort();
            d.readUnsignedShort();
            int count = d.readUnsignedShort();
            String[] utf8 = new String[count];
            int[] classNames = new int[count];
            int[][] pairs = new int[count][];
            List<int[]> methodRefs = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                int tag = d.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = d.readUTF();
                    case 3, 4 -> d.readInt();
                    case 5, 6 -> {
                        d.readLong();
                        i++; // eight-byte constants take two slots
                    }
                    case 7 -> classNames[i] = d.readUnsignedShort();
                    case 8, 16, 19, 20 -> d.readUnsignedShort();
                    case 9, 12, 17, 18 -> pairs[i] = new int[] {d.readUnsignedShort(), d.readUnsignedShort()};
                    case 10, 11 -> methodRefs.add(new int[] {d.readUnsignedShort(), d.readUnsignedShort()});
                    case 15 -> {
                        d.readUnsignedByte();
                        d.readUnsignedShort();
                    }
                    default -> throw new IOException(classFile + ": constant pool tag " + tag + " at " + i);
                }
            }
            List<MethodRef> out = new ArrayList<>();
            for (int[] m : methodRefs) {
                int[] nameAndType = pairs[m[1]];
                out.add(new MethodRef(utf8[classNames[m[0]]], utf8[nameAndType[0]], utf8[nameAndType[1]]));
            }
            return out;
        }
    }
}
