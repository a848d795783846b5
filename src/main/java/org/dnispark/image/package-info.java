/**
 * Images: the planar float {@link org.dnispark.image.RgbImage}, decoding and encoding, MATLAB-compatible bicubic
 * down-scaling, seeded synthetic degradations, transition contact strips and the region-adaptive alpha map
 * and composite ({@link org.dnispark.image.RegionAlpha}). No Spark, no DJL.
 */
package org.dnispark.image;
