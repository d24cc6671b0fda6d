package org.loradist.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.norm.LayerNorm;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's frozen base parameters by Hugging Face name (a read-only copy of the map given), and the lookups both
 * architectures make in them: a parameter, an embedding row per id, a layer norm by module name.
 */
final class NamedParameters {
  private final Map<String, NDArray> byName;

  NamedParameters(Map<String, NDArray> parameters) {
    this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
  }

  /** Read-only view, in the order given. */
  Map<String, NDArray> asMap() {
    return byName;
  }

  NDArray get(String name) {
    NDArray p = byName.get(name);
    if (p == null) {
      throw new IllegalStateException("parameter '" + name + "' is missing");
    }
    return p;
  }

  /** The rows of embedding matrix {@code weight} for {@code ids}. */
  NDArray embedding(NDArray ids, String weight) {
    return ids.getNDArrayInternal().embedding(ids, get(weight), SparseFormat.DENSE).singletonOrThrow();
  }

  /** Layer norm over the last {@code width} features with {@code module}'s weight and bias. */
  NDArray layerNorm(NDArray x, String module, int width, float eps) {
    return LayerNorm.layerNorm(x, new Shape(width), get(module + ".weight"), get(module + ".bias"), eps)
        .singletonOrThrow();
  }
}
