package org.loradist.model;

import ai.djl.ndarray.NDArray;

/**
 * A linear map {@code y = x W^T + b} as the encoder sees it, looked up by its Hugging Face module name
 * ({@code encoder.layer.0.attention.self.query}). The model calls only this interface, so a LoRA layer can wrap
 * a named linear ({@link BertEncoder#replaceLinear}) without any change to the architecture file.
 */
public interface Linear {
  /** {@code input} is [..., inFeatures]; the result is [..., outFeatures] in the manager of {@code input}. */
  NDArray forward(NDArray input, ForwardContext ctx);

  long inFeatures();

  long outFeatures();
}
