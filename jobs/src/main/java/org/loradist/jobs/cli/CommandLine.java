package org.loradist.jobs.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.Settings;

/**
 * The parsed words after {@code lora-dist COMMAND}: the common flags ({@code --conf}, {@code --set},
 * {@code --master}, {@code --dry-run}, {@code --help}) and the command's own flags, turned into config overrides
 * in the order given (later wins).
 */
public record CommandLine(Path confFile, Map<String, String> overrides, boolean dryRun, boolean help) {

  public static CommandLine parse(Command command, List<String> args) {
    Path conf = null;
    Map<String, String> overrides = new LinkedHashMap<>();
    boolean dryRun = false;
    boolean help = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
      final String name = eq > 0 ? arg.substring(0, eq) : arg;
      final String inline = eq > 0 ? arg.substring(eq + 1) : null;
      switch (name) {
        case "--help", "-h" -> help = true;
        case "--dry-run" -> dryRun = true;
        case "--conf" -> {
          conf = Path.of(inline != null ? inline : value(command, args, ++i, name));
        }
        case "--set" -> {
          String kv = inline != null ? inline : value(command, args, ++i, name);
          int sep = kv.indexOf('=');
          if (sep <= 0) {
            throw new ConfigException("--set needs key=value, got '" + kv + "'");
          }
          overrides.put(kv.substring(0, sep).trim(), kv.substring(sep + 1));
        }
        case "--master" -> overrides.put(Settings.SPARK_MASTER.key(),
            inline != null ? inline : value(command, args, ++i, name));
        default -> {
          Flag flag = command.flags().stream().filter(f -> f.name().equals(name)).findFirst()
              .orElseThrow(() -> new ConfigException(
                  (name.startsWith("-") ? "unknown flag " : "unexpected argument ") + "'" + name
                      + "' for '" + command.name() + "' (see lora-dist " + command.name() + " --help)"));
          if (flag.setting().kind() == org.loradist.jobs.config.Setting.Kind.BOOLEAN && inline == null
              && (i + 1 >= args.size() || args.get(i + 1).startsWith("--"))) {
            overrides.put(flag.setting().key(), "true");
          } else {
            overrides.put(flag.setting().key(), inline != null ? inline : value(command, args, ++i, name));
          }
        }
      }
    }
    return new CommandLine(conf, overrides, dryRun, help);
  }

  private static String value(Command command, List<String> args, int i, String flag) {
    if (i >= args.size() || args.get(i).startsWith("--")) {
      throw new ConfigException("flag " + flag + " of '" + command.name() + "' needs a value");
    }
    return args.get(i);
  }
}
