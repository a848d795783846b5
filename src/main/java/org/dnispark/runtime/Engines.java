package org.dnispark.runtime;

/**
 * DJL engine settings that must be in place before the PyTorch engine starts in a JVM (driver or executor): offline
 * mode, so nothing is downloaded, and the torch thread counts per task.
 */
public final class Engines {
    private Engines() {
    }

    /** Sets the properties unless the user already set them on the JVM command line. */
    public static void configure(int torchThreads) {
        System.setProperty("ai.djl.offline", "true");
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(torchThreads));
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    /** Versions for the provenance manifest: DJL and the PyTorch engine (starting it if needed). */
    public static String djlVersion() {
        return ai.djl.engine.Engine.getDjlVersion();
    }

    public static String pytorchVersion() {
        return ai.djl.engine.Engine.getEngine("PyTorch").getVersion();
    }
}
