/** Image quality metrics with BasicSR's exact conventions. No Spark, no DJL. */
package org.dnispark.metrics;
