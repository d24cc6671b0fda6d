package org.loradist.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The linears of a model by Hugging Face module name, in forward order: what {@link LinearModules} looks up. */
final class ModuleLinears implements LinearModules {
  private final Map<String, Linear> byName = new LinkedHashMap<>();

  /** Adds module {@code name} (the constructor's job: after that, modules are only replaced). */
  void add(String name, Linear linear) {
    byName.put(name, linear);
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
