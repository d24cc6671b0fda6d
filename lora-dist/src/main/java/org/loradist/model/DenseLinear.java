package org.loradist.model;

import ai.djl.ndarray.NDArray;

/** The plain linear of a checkpoint: weight [out, in] (Hugging Face layout) and bias [out], one fused op. */
public record DenseLinear(NDArray weight, NDArray bias) implements Linear {
  public DenseLinear {
    if (weight.getShape().dimension() != 2 || bias.getShape().dimension() != 1
        || bias.getShape().get(0) != weight.getShape().get(0)) {
      throw new IllegalArgumentException("linear weight " + weight.getShape() + " and bias " + bias.getShape()
          + " do not fit together");
    }
  }

  @Override
  public NDArray forward(NDArray input, ForwardContext ctx) {
    return ai.djl.nn.core.Linear.linear(input, weight, bias).singletonOrThrow();
  }

  @Override
  public long inFeatures() {
    return weight.getShape().get(1);
  }

  @Override
  public long outFeatures() {
    return weight.getShape().get(0);
  }
}
