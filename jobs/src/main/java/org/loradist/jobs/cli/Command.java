package org.loradist.jobs.cli;

import java.util.List;

/** One {@code lora-dist COMMAND}: its flags, and what it does with a validated configuration. */
public interface Command {
  String name();

  /** One line for the command list. */
  String summary();

  List<Flag> flags();

  /**
   * Checks what can be checked without Spark (required keys, paths, combinations); throws
   * {@link org.loradist.jobs.config.ConfigException} with one line. Runs before {@link #run} and alone on --dry-run.
   */
  void validate(JobContext ctx);

  void run(JobContext ctx) throws Exception;
}
