package org.dnispark.runtime;

import java.util.Locale;

import ai.djl.Device;

/**
 * Which device a Spark task runs on. With {@code gpu}, a task uses the first GPU address Spark's resource scheduler
 * assigned to it ({@code spark.task.resource.gpu.amount}); without one (local mode has no resource scheduling) it
 * uses GPU 0. Never "every task on GPU 0" on a cluster.
 */
public final class Devices {
    private Devices() {
    }

    /** The configured kind: {@code cpu} or {@code gpu}. */
    public static String parseKind(String setting) {
        String k = setting.trim().toLowerCase(Locale.ROOT);
        if (!k.equals("cpu") && !k.equals("gpu")) {
            throw new IllegalArgumentException("device '" + setting + "': expected cpu or gpu");
        }
        return k;
    }

    /** DJL device for a task: {@code kind} cpu or gpu, {@code gpuAddresses} what Spark assigned (may be empty). */
    public static Device forTask(String kind, String[] gpuAddresses) {
        if (kind.equals("cpu")) {
            return Device.cpu();
        }
        if (gpuAddresses == null || gpuAddresses.length == 0) {
            return Device.gpu(0);
        }
        try {
            return Device.gpu(Integer.parseInt(gpuAddresses[0].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("GPU address '" + gpuAddresses[0] + "' from Spark's resource "
                    + "scheduler is not a device index; the discovery script must report indices such as 0, 1");
        }
    }
}
