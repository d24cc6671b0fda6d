package org.loradist.jobs.cli;

import org.loradist.jobs.config.Setting;

/** A command-line flag that sets one config key ({@code --input PATH} → {@code prep.input}). */
public record Flag(String name, Setting setting, String help) {
  public Flag {
    if (!name.startsWith("--")) {
      throw new IllegalArgumentException("flag must start with --: " + name);
    }
  }

  public static Flag of(String name, Setting setting) {
    return new Flag(name, setting, setting.doc());
  }
}
