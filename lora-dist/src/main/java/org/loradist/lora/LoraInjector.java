package org.loradist.lora;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loradist.model.Linear;
import org.loradist.model.LinearModules;

/**
 * Wraps a model's (encoder's or decoder's) target linears in {@link LoraLinear}s, choosing them by Hugging Face module name as PEFT
 * does ({@link LoraConfig#targets}). The encoder's other modules and its parameters are untouched.
 */
public final class LoraInjector {
  private LoraInjector() {
  }

  /**
   * @return the adapters, in forward order (their tensors are unset until {@link LoraAdapters#bind})
   * @throws IllegalArgumentException naming the pattern and the available modules when nothing matches, or when a
   *     target is already wrapped
   */
  public static LoraAdapters inject(LinearModules encoder, LoraConfig config) {
    Map<String, LoraLinear> wrapped = new LinkedHashMap<>();
    List<String> names = encoder.linearNames();
    for (String name : names) {
      if (!config.targets(name)) {
        continue;
      }
      Linear base = encoder.linear(name);
      if (base instanceof LoraLinear) {
        throw new IllegalArgumentException("module '" + name + "' already carries an adapter");
      }
      LoraLinear lora = new LoraLinear(name, base, config.rank(), config.scaling(), config.dropout(),
          wrapped.size());
      encoder.replaceLinear(name, lora);
      wrapped.put(name, lora);
    }
    if (wrapped.isEmpty()) {
      throw new IllegalArgumentException("LoRA target modules " + config.describeTargets()
          + " match no linear module of the model; its linears are named like " + examples(names));
    }
    return new LoraAdapters(config, wrapped);
  }

  private static String examples(List<String> names) {
    return names.size() <= 6 ? names.toString() : names.subList(0, 6) + " ... (" + names.size() + " in all)";
  }
}
