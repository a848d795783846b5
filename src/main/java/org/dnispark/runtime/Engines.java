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

    /**
     * Turns PyTorch's autograd recording off on the calling thread. It is thread-local and on by default for every
     * thread but the one that started the engine, so a trainer that updates its parameters in place must not rely on
     * which thread that was (a Spark task thread, in a JVM that also ran a job). The switch lives in the engine's JNI
     * class, which is not on the compile class path (the engine is a runtime dependency): it is called by name.
     */
    public static void disableGradientsOnThisThread() {
        ai.djl.engine.Engine.getEngine("PyTorch");
        try {
            Class.forName("ai.djl.pytorch.jni.JniUtils").getMethod("setGradMode", boolean.class).invoke(null, false);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot switch PyTorch's gradient mode off (DJL "
                    + ai.djl.engine.Engine.getDjlVersion() + "): " + e, e);
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
