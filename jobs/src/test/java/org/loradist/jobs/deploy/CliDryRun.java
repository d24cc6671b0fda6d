package org.loradist.jobs.deploy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.loradist.jobs.Main;

/**
 * Runs a scheduler's lora-dist invocation through the CLI in-process with {@code --dry-run}: arguments and config
 * are validated, nothing runs. A command the CLI does not have yet is told apart from an invalid invocation.
 */
record CliDryRun(List<String> args, int code, String out, String err) {
  enum Verdict { VALID, UNKNOWN_COMMAND, INVALID }

  static CliDryRun of(List<String> args) {
    List<String> withDryRun = new ArrayList<>(args);
    withDryRun.add("--dry-run");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(withDryRun.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new CliDryRun(withDryRun, code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  Verdict verdict() {
    if (code == Main.OK && out.contains("configuration valid (dry run")) {
      return Verdict.VALID;
    }
    if (code == Main.USAGE && err.contains("unknown command '" + args.get(0) + "'")) {
      return Verdict.UNKNOWN_COMMAND;
    }
    return Verdict.INVALID;
  }

  /** One line for the test log: the invocation and what the CLI said. */
  String describe() {
    String said = (code == Main.OK ? out : err).strip();
    return "lora-dist " + String.join(" ", args) + "  ->  exit " + code + ": " + said;
  }
}
