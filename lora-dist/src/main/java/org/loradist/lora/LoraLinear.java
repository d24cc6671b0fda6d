package org.loradist.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.loradist.model.Conv1DLinear;
import org.loradist.model.DenseLinear;
import org.loradist.model.ForwardContext;
import org.loradist.model.Linear;

/**
 * A frozen linear plus a low-rank update: {@code y = base(x) + s · B A dropout(x)}, with {@code A} [r, in],
 * {@code B} [out, r] (PEFT's lora_A / lora_B weight shapes) and {@code s} the config's scaling.
 *
 * <p>The base is never written: {@link #merge} builds a separate merged weight {@code W + s B A} in a manager the
 * caller owns and {@link #unmerge} drops it, so unmerging returns the exact base (no subtract-and-drift). The
 * adapter tensors are set from outside ({@link #setWeights}) because the trainer owns the values: a replica binds
 * fresh leaves per step and reads their gradients.
 */
public final class LoraLinear implements Linear {
  private final String moduleName;
  private final Linear base;
  private final int rank;
  private final double scaling;
  private final double dropout;
  private final int site;
  private NDArray a;
  private NDArray b;
  private boolean enabled = true;
  private ExampleDropout exampleDropout;
  private Linear merged;

  /**
   * @param site index of this adapter among the model's adapters (separates the dropout masks of the sites)
   */
  public LoraLinear(String moduleName, Linear base, int rank, double scaling, double dropout, int site) {
    this.moduleName = moduleName;
    this.base = base;
    this.rank = rank;
    this.scaling = scaling;
    this.dropout = dropout;
    this.site = site;
  }

  public String moduleName() {
    return moduleName;
  }

  public Linear base() {
    return base;
  }

  public int rank() {
    return rank;
  }

  public double scaling() {
    return scaling;
  }

  /** A [r, in] and B [out, r], in any manager that outlives the forward passes using them. */
  public void setWeights(NDArray loraA, NDArray loraB) {
    if (merged != null) {
      throw new IllegalStateException(moduleName + ": unmerge before replacing the adapter weights");
    }
    long[] sa = loraA.getShape().getShape();
    long[] sb = loraB.getShape().getShape();
    if (sa.length != 2 || sb.length != 2 || sa[0] != rank || sa[1] != inFeatures() || sb[0] != outFeatures()
        || sb[1] != rank) {
      throw new IllegalArgumentException(moduleName + ": lora_A must be [" + rank + ", " + inFeatures()
          + "] and lora_B [" + outFeatures() + ", " + rank + "], got " + loraA.getShape() + " and "
          + loraB.getShape());
    }
    this.a = loraA;
    this.b = loraB;
  }

  public NDArray loraA() {
    return a;
  }

  public NDArray loraB() {
    return b;
  }

  /** With adapters off the layer is its base: what "the base model" means for replay penalties. */
  public void setEnabled(boolean on) {
    this.enabled = on;
  }

  public boolean enabled() {
    return enabled;
  }

  /** Per-example dropout masks for the next forward passes, or null for the forward context's own dropout. */
  public void setExampleDropout(ExampleDropout plan) {
    this.exampleDropout = plan;
  }

  public boolean merged() {
    return merged != null;
  }

  @Override
  public NDArray forward(NDArray input, ForwardContext ctx) {
    if (merged != null) {
      if (!enabled) {
        throw new IllegalStateException(moduleName + ": adapters are merged into the weight; unmerge to switch "
            + "them off");
      }
      return merged.forward(input, ctx);
    }
    NDArray y = base.forward(input, ctx);
    if (!enabled) {
      return y;
    }
    if (a == null) {
      throw new IllegalStateException(moduleName + ": adapter weights were never set");
    }
    NDArray h = input;
    if (dropout > 0) {
      if (exampleDropout != null) {
        h = exampleDropout.apply(input, dropout, site);
      } else if (ctx.training()) {
        h = ctx.dropout(input, (float) dropout);
      }
    }
    NDArray delta = ai.djl.nn.core.Linear.linear(ai.djl.nn.core.Linear.linear(h, a).singletonOrThrow(), b)
        .singletonOrThrow();
    delta = Scalars.times(delta, scaling);
    return y.add(delta);
  }

  /**
   * Folds the adapter into a copy of the base weight, {@code W + s B A}, created in {@code manager}; forward passes
   * then cost one matmul. Needs a plain {@link DenseLinear} base, or a {@link Conv1DLinear} (weight [in, out], PEFT's
   * fan_in_fan_out), which gets {@code W + s (B A)^T}.
   */
  public void merge(NDManager manager) {
    if (merged != null) {
      return;
    }
    if (!(base instanceof DenseLinear) && !(base instanceof Conv1DLinear)) {
      throw new IllegalStateException(moduleName + ": cannot merge into a " + base.getClass().getSimpleName());
    }
    if (a == null) {
      throw new IllegalStateException(moduleName + ": adapter weights were never set");
    }
    NDArray ba = manager.create(b.toFloatArray(), b.getShape()).matMul(manager.create(a.toFloatArray(), a.getShape()))
        .mul((float) scaling);
    // the base lives in a capped manager: put the sum in ours by making our array the left operand
    if (base instanceof DenseLinear dense) {
      merged = new DenseLinear(ba.add(dense.weight()), dense.bias());
    } else {
      Conv1DLinear conv = (Conv1DLinear) base;
      merged = new Conv1DLinear(ba.transpose().add(conv.weight()), conv.bias());
    }
  }

  /** Back to base + adapter; the merged copy is dropped (its manager frees it). */
  public void unmerge() {
    merged = null;
  }

  /** The merged weight {@code W + s B A} as float32 values, row-major [out, in]. */
  public float[] mergedWeight() {
    if (!(base instanceof DenseLinear dense)) {
      throw new IllegalStateException(moduleName + ": cannot merge into a " + base.getClass().getSimpleName());
    }
    float[] w = dense.weight().toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
    float[] av = a.toFloatArray();
    float[] bv = b.toFloatArray();
    int out = Math.toIntExact(outFeatures());
    int in = Math.toIntExact(inFeatures());
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        double s = 0;
        for (int k = 0; k < rank; k++) {
          s += (double) bv[o * rank + k] * av[k * in + i];
        }
        w[o * in + i] += (float) (scaling * s);
      }
    }
    return w;
  }

  @Override
  public long inFeatures() {
    return base.inFeatures();
  }

  @Override
  public long outFeatures() {
    return base.outFeatures();
  }
}
