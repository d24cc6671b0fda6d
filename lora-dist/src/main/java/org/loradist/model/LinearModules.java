package org.loradist.model;

import java.util.List;

/**
 * A model whose linears are looked up by Hugging Face module name, so LoRA can wrap them without touching the
 * architecture file. {@link BertEncoder} and {@link Gpt2Model} both are.
 */
public interface LinearModules {
  /** Module names of all linears, in forward order. */
  List<String> linearNames();

  /** The linear that module {@code name} currently uses. */
  Linear linear(String name);

  /** Puts {@code replacement} in place of module {@code name} (same in/out features). */
  void replaceLinear(String name, Linear replacement);
}
