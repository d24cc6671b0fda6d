package org.loradist.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.loradist.train.DataOrder;

/**
 * Dropout masks drawn per example rather than per batch: row i of a batch gets a mask that depends only on its own
 * seed, the dropout site and the token position, never on which other examples share the batch or how wide the
 * batch is padded. That is what makes a data-parallel run with dropout give the same adapter whatever the worker
 * count (a shard of 16 and a batch of 32 draw the same masks for the same example), and what lets GradCache's
 * second forward reproduce the first one exactly.
 *
 * <p>Masks are drawn on the host with {@link SplittableRandom} (specified output for a seed, and no shared state):
 * PyTorch's generator is one per process and two workers training in one JVM would race on it.
 */
public final class ExampleDropout {
  private final long[] seeds;
  private final int[] lengths;

  /**
   * @param seeds one seed per batch row (e.g. {@code StepInfo.exampleSeed})
   * @param lengths real (unpadded) tokens per row; padded positions get a zero mask
   */
  public ExampleDropout(long[] seeds, int[] lengths) {
    if (seeds.length != lengths.length) {
      throw new IllegalArgumentException(seeds.length + " seeds for " + lengths.length + " rows");
    }
    this.seeds = seeds.clone();
    this.lengths = lengths.clone();
  }

  public int rows() {
    return seeds.length;
  }

  /**
   * Inverted dropout of {@code x} ([rows, tokens, features] or [rows, features]) with probability {@code p}; the
   * mask is created in {@code x}'s manager. {@code site} tells dropout sites apart (e.g. the adapter's index).
   */
  public NDArray apply(NDArray x, double p, int site) {
    Shape shape = x.getShape();
    if (shape.get(0) != seeds.length) {
      throw new IllegalArgumentException("dropout planned for " + seeds.length + " rows, the batch has "
          + shape.get(0));
    }
    int rows = seeds.length;
    int tokens = shape.dimension() == 3 ? Math.toIntExact(shape.get(1)) : 1;
    int features = Math.toIntExact(shape.get(shape.dimension() - 1));
    float[] mask = new float[Math.toIntExact((long) rows * tokens * features)];
    float keep = (float) (1.0 / (1.0 - p));
    long threshold = (long) (p * 4294967296.0); // compare 32-bit draws: drop when draw < p * 2^32
    for (int i = 0; i < rows; i++) {
      SplittableRandom rng = new SplittableRandom(DataOrder.mix(seeds[i], site));
      int real = shape.dimension() == 3 ? Math.min(lengths[i], tokens) : 1;
      int base = i * tokens * features;
      int n = real * features;
      for (int k = 0; k < n; k += 2) {
        long bits = rng.nextLong();
        mask[base + k] = (bits >>> 32) < threshold ? 0f : keep;
        if (k + 1 < n) {
          mask[base + k + 1] = (bits & 0xFFFFFFFFL) < threshold ? 0f : keep;
        }
      }
    }
    NDArray m = x.getManager().create(mask, shape);
    return x.mul(m);
  }
}
