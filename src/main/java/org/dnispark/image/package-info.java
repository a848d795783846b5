/**
 * Images: the planar float {@link org.dnispark.image.RgbImage}, decoding and encoding, MATLAB-compatible bicubic
 * down-scaling, seeded synthetic degradations and transition contact strips. No Spark, no DJL.
 */
package org.dnispark.image;
