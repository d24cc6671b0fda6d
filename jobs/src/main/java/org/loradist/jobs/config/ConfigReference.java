package org.loradist.jobs.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Renders docs/configuration.md from {@link Settings}, so the reference cannot drift from the code
 * (a test compares the committed file with this output). {@code main(path)} rewrites the file.
 */
public final class ConfigReference {
  private ConfigReference() {}

  public static String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("# Configuration reference\n\n")
        .append("Generated from `org.loradist.jobs.config.Settings` by `ConfigReference`; do not edit by hand.\n")
        .append("Keys go in a HOCON file (`--conf FILE`) or on the command line (`--set key=value`); command flags\n")
        .append("(see `lora-dist COMMAND --help`) set the same keys. Unknown keys and invalid values are refused.\n\n")
        .append("| key | default | allowed | meaning |\n|---|---|---|---|\n");
    for (Setting s : Settings.ALL) {
      sb.append("| `").append(s.key()).append("` | ").append(renderDefault(s.defaultValue())).append(" | ")
          .append(s.expectation()).append(" | ").append(s.doc().replace("|", "\\|")).append(" |\n");
    }
    return sb.toString();
  }

  private static String renderDefault(Object v) {
    if (v instanceof List<?> l) {
      return l.isEmpty() ? "`[]`" : "`" + l + "`";
    }
    String s = String.valueOf(v);
    return s.isEmpty() ? "(empty)" : "`" + s + "`";
  }

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "docs/configuration.md");
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, markdown());
    System.out.println("wrote " + out);
  }
}
