package org.loradist.jobs;

import java.nio.file.Path;
import org.loradist.lora.PeftAdapter;
import org.loradist.model.DefaultModel;

/**
 * How a base model is named in the {@code model} column (the bundled model by its name, a directory by its absolute
 * path, as {@code embed} writes it) and back, so that two spellings of one model compare equal.
 */
final class ModelNames {
  private ModelNames() {}

  /** The {@code model} column value for a model path ("default", blank or the PEFT name mean the bundled model). */
  static String column(String modelPath) {
    if (isDefault(modelPath)) {
      return DefaultModel.NAME;
    }
    return Path.of(modelPath).toAbsolutePath().normalize().toString();
  }

  /** The model path to load for a {@code model} column value. */
  static String path(String column) {
    return isDefault(column) ? "default" : column;
  }

  private static boolean isDefault(String m) {
    return m == null || m.isBlank() || m.equals("default") || m.equals(DefaultModel.NAME)
        || m.equals(PeftAdapter.DEFAULT_BASE_MODEL);
  }
}
