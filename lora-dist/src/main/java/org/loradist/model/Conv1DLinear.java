package org.loradist.model;

import ai.djl.ndarray.NDArray;

/**
 * GPT-2's "Conv1D": a linear whose weight is stored [in, out] (transposed relative to {@link DenseLinear}), so
 * {@code y = x W + b}. The checkpoint's tensor is used as it is: a matmul against [in, out] costs the same as
 * against a transposed [out, in], and copying a 124M model's weights to transpose them would double its load-time
 * memory. The result lives in the input's manager (the parameters' managers are capped).
 */
public record Conv1DLinear(NDArray weight, NDArray bias) implements Linear {
  public Conv1DLinear {
    if (weight.getShape().dimension() != 2 || bias.getShape().dimension() != 1
        || bias.getShape().get(0) != weight.getShape().get(1)) {
      throw new IllegalArgumentException("Conv1D weight " + weight.getShape() + " ([in, out]) and bias "
          + bias.getShape() + " do not fit together");
    }
  }

  @Override
  public NDArray forward(NDArray input, ForwardContext ctx) {
    return input.matMul(weight).add(bias);
  }

  @Override
  public long inFeatures() {
    return weight.getShape().get(0);
  }

  @Override
  public long outFeatures() {
    return weight.getShape().get(1);
  }
}
