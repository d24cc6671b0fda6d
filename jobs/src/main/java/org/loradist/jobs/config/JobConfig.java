package org.loradist.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A validated configuration: defaults from {@link Settings}, then the HOCON file, then {@code --set} and flag
 * overrides. Unknown keys and invalid values are refused here, at start, with one line naming the key.
 */
public final class JobConfig {
  private final Config config;

  private JobConfig(Config config) {
    this.config = config;
  }

  public static JobConfig defaults() {
    return load(null, Map.of());
  }

  /** @param overrides key → raw string value (from --set and command flags); applied last, in order. */
  public static JobConfig load(Path file, Map<String, String> overrides) {
    Config merged = defaultsConfig();
    if (file != null) {
      merged = parseFile(file).withFallback(merged);
    }
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      requireKnown(e.getKey(), "--set");
      merged = merged.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue(), "--set " + e.getKey()));
    }
    Config resolved;
    try {
      resolved = merged.resolve();
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException("invalid configuration: " + e.getMessage());
    }
    for (Map.Entry<String, ConfigValue> e : resolved.entrySet()) {
      requireKnown(e.getKey(), e.getValue().origin().description());
    }
    JobConfig jc = new JobConfig(resolved);
    for (Setting s : Settings.ALL) {
      jc.validate(s);
    }
    return jc;
  }

  /**
   * This configuration with some keys set to other values (e.g. paths that {@code run} derives between stages);
   * validated like a loaded one.
   */
  public JobConfig with(Map<String, ?> values) {
    Config c = config;
    for (Map.Entry<String, ?> e : values.entrySet()) {
      requireKnown(e.getKey(), "lora-dist run");
      c = c.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue(), "derived by lora-dist run"));
    }
    JobConfig jc = new JobConfig(c);
    for (Setting s : Settings.ALL) {
      jc.validate(s);
    }
    return jc;
  }

  private static Config parseFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config file not found: " + file);
    }
    try {
      return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException("cannot parse config file " + file + ": " + e.getMessage());
    }
  }

  private static Config defaultsConfig() {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Setting s : Settings.ALL) {
      m.put(s.key(), s.defaultValue());
    }
    return ConfigFactory.parseMap(m, "lora-dist defaults");
  }

  private static void requireKnown(String key, String where) {
    if (Settings.find(key).isEmpty()) {
      throw new ConfigException("unknown config key '" + key + "' (from " + where + ")" + suggestion(key)
          + "; see docs/configuration.md for the keys");
    }
  }

  private static String suggestion(String key) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (Setting s : Settings.ALL) {
      int d = editDistance(key, s.key());
      if (d < bestDistance) {
        bestDistance = d;
        best = s.key();
      }
    }
    return best != null && bestDistance <= Math.max(3, key.length() / 4) ? ", did you mean '" + best + "'?" : "";
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private void validate(Setting s) {
    Object v = value(s);
    if (v instanceof Number n && s.min() != null) {
      double d = n.doubleValue();
      if (d < s.min() || d > s.max() || Double.isNaN(d)) {
        throw invalid(s, raw(s));
      }
    }
    if (v instanceof String str && !s.allowed().isEmpty() && !s.allowed().contains(str)) {
      throw invalid(s, raw(s));
    }
  }

  private ConfigException invalid(Setting s, String raw) {
    return new ConfigException("invalid value for '" + s.key() + "': " + raw + " (expected " + s.expectation() + ")");
  }

  private String raw(Setting s) {
    return config.getValue(s.key()).render(ConfigRenderOptions.concise());
  }

  private Object value(Setting s) {
    try {
      return switch (s.kind()) {
        case STRING -> config.getString(s.key());
        case INT -> config.getInt(s.key());
        case LONG -> config.getLong(s.key());
        case DOUBLE -> config.getDouble(s.key());
        case BOOLEAN -> config.getBoolean(s.key());
        case STRING_LIST -> stringList(s.key());
      };
    } catch (com.typesafe.config.ConfigException e) {
      throw invalid(s, raw(s));
    }
  }

  private List<String> stringList(String key) {
    ConfigValue v = config.getValue(key);
    if (v.valueType() == ConfigValueType.STRING) {
      String s = config.getString(key).trim();
      return s.isEmpty() ? List.of() : Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }
    return new ArrayList<>(config.getStringList(key));
  }

  public String string(Setting s) {
    return (String) value(s);
  }

  public int integer(Setting s) {
    return (Integer) value(s);
  }

  public long longValue(Setting s) {
    return (Long) value(s);
  }

  public double decimal(Setting s) {
    return (Double) value(s);
  }

  public boolean bool(Setting s) {
    return (Boolean) value(s);
  }

  @SuppressWarnings("unchecked")
  public List<String> list(Setting s) {
    return (List<String>) value(s);
  }

  /** A required string: empty means the user must give it, and the message says how. */
  public String required(Setting s, String flag) {
    String v = string(s);
    if (v.isBlank()) {
      throw new ConfigException("missing " + flag + " (config key '" + s.key() + "')");
    }
    return v;
  }

  /** Every known key with its effective value, for the manifest. */
  public Map<String, Object> effective() {
    Map<String, Object> m = new TreeMap<>();
    for (Setting s : Settings.ALL) {
      m.put(s.key(), value(s));
    }
    return m;
  }
}
