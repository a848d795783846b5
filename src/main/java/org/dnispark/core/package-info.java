/**
 * Pure Deep Network Interpolation maths: named tensors, coefficient rules and the run's
 * {@link org.dnispark.core.CoefficientPlan}, interpolation (paper Eq. 1 and 2), per-layer schedules
 * ({@link org.dnispark.core.LayerSchedule}), the ask-and-tell alpha search ({@link org.dnispark.core.AlphaSearch}) and
 * the filter correlation index (Eq. 3). No Spark, no DJL: everything here runs in a plain JVM.
 */
package org.dnispark.core;
