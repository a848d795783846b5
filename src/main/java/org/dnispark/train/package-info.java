/**
 * Training and fine-tuning of the small denoisers the DNI paper studies (an SRCNN-style network and a reduced-depth
 * DnCNN), with DJL's PyTorch engine and no Spark: the way to obtain correlated (fine-tuned) and uncorrelated
 * (from-scratch) model pairs from real photographs. The models are written with the key names the built-in
 * architectures recognise, so every other job reads them as they are; their manifest has every command's shape.
 */
package org.dnispark.train;
