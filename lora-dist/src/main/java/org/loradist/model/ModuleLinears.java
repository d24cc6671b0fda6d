package org.loradist.model;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** The linears of a model by Hugging Face module name, in forward order: what {@link LinearModules} looks up. */
final class ModuleLinears implements LinearModules {
  private final Map<String, Linear> byName = new LinkedHashMap<>();

  /**
   * One linear per module of {@code modules}, in that order, made from its {@code .weight} and {@code .bias}
   * parameters; after this, modules are only replaced.
   */
  ModuleLinears(List<String> modules, NamedParameters parameters, BiFunction<NDArray, NDArray, Linear> linear) {
    for (String module : modules) {
      byName.put(module, linear.apply(parameters.get(module + ".weight"), parameters.get(module + ".bias")));
    }
  }

  @Override
  public Linear linear(String name) {
    Linear l = byName.get(name);
    if (l == null) {
      throw new IllegalArgumentException("no linear module '" + name + "' (modules: " + byName.keySet() + ")");
    }
    return l;
  }

  @Override
  public List<String> linearNames() {
    return List.copyOf(byName.keySet());
  }

  @Override
  public void replaceLinear(String name, Linear replacement) {
    Linear current = linear(name);
    if (replacement.inFeatures() != current.inFeatures() || replacement.outFeatures() != current.outFeatures()) {
      throw new IllegalArgumentException("replacement for '" + name + "' maps " + replacement.inFeatures() + " -> "
          + replacement.outFeatures() + ", the module maps " + current.inFeatures() + " -> " + current.outFeatures());
    }
    byName.put(name, replacement);
  }
}
