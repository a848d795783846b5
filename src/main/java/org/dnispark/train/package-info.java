/**
 * Training and fine-tuning of the small denoisers the DNI paper studies (an SRCNN-style network and a reduced-depth
 * DnCNN), with DJL's PyTorch engine and no Spark: the way to obtain correlated (fine-tuned) and uncorrelated
 * (from-scratch) model pairs from real photographs. The models are written with the key names the built-in
 * architectures recognise, so every other job reads them as they are; their manifest has every command's shape.
 *
 * <p>Native memory follows the rule written in {@link org.dnispark.runtime} (engine-owned arrays only, through
 * {@code Tensors} and the {@code Ops} scalar operations; one owner per array). In the training loop: parameters and
 * Adam's moments live in {@code kept}, which outlives the loop. A step's inputs, activations, autograd graph,
 * gradients' handles and Adam's temporaries live in that step's {@code scope}, which closes after the update. Grad mode
 * is off on the trainer's thread, except inside the step's {@code GradientCollector}. A seeded run therefore
 * computes the same bits every time, and a resumed run the bits of an uninterrupted one ({@code DeterminismTest},
 * {@code jobs/stress-train.sh}).
 */
package org.dnispark.train;
