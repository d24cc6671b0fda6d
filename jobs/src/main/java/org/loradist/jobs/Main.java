package org.loradist.jobs;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.loradist.jobs.cli.Command;
import org.loradist.jobs.cli.CommandLine;
import org.loradist.jobs.cli.Flag;
import org.loradist.jobs.cli.JobContext;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.JobConfig;

/**
 * {@code lora-dist COMMAND [--conf FILE] [--set key=value]... [--master URL] [flags]}: the entry point of the
 * launcher and of {@code spark-submit --class org.loradist.jobs.Main}. Exit 0 on success, 2 on a usage or
 * configuration error, 1 when the job fails; a failure prints one line saying what and where.
 */
public final class Main {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;

  private Main() {}

  public static void main(String[] args) {
    // No network at run time: DJL must never try to download natives or models (spark-submit, Databricks).
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    int code = run(args, System.out, System.err);
    // From the plain launcher, exit explicitly: a local-mode driver that ran barrier stages (train) keeps Spark's
    // non-daemon "Barrier task timer" thread alive after the session stops. Under spark-submit (spark.master is a
    // system property there) and on Databricks main must return instead: YARN's ApplicationMaster marks an
    // application that calls System.exit(0) as failed, and Databricks jar tasks must not call it.
    boolean hosted = System.getProperty("spark.master") != null
        || System.getenv("DATABRICKS_RUNTIME_VERSION") != null;
    if (code != OK || !hosted) {
      System.exit(code);
    }
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      out.print(usage());
      return args.length == 0 ? USAGE : OK;
    }
    Optional<Command> found = Commands.find(args[0]);
    if (found.isEmpty()) {
      err.println("lora-dist: unknown command '" + args[0] + "' (commands: " + String.join(", ", Commands.names()) + ")");
      return USAGE;
    }
    Command command = found.get();
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    JobConfig config;
    CommandLine line;
    try {
      line = CommandLine.parse(command, rest);
      if (line.help()) {
        out.print(help(command));
        return OK;
      }
      config = JobConfig.load(line.confFile(), line.overrides());
    } catch (ConfigException e) {
      err.println("lora-dist " + command.name() + ": " + e.getMessage());
      return USAGE;
    }
    try (JobContext ctx = new JobContext(command.name(), config, out)) {
      command.validate(ctx);
      if (line.dryRun()) {
        out.println("lora-dist " + command.name() + ": configuration valid (dry run, nothing executed)");
        return OK;
      }
      command.run(ctx);
      return OK;
    } catch (ConfigException e) {
      err.println("lora-dist " + command.name() + ": " + e.getMessage());
      return USAGE;
    } catch (Throwable e) {
      err.println("lora-dist " + command.name() + ": failed: " + Failures.describe(e));
      if (System.getenv("LORA_DIST_DEBUG") != null) {
        e.printStackTrace(err);
      }
      return FAILED;
    }
  }

  static String usage() {
    StringBuilder sb = new StringBuilder();
    sb.append("usage: lora-dist COMMAND [--conf FILE] [--set key=value]... [--master URL] [--dry-run] [flags]\n\n");
    sb.append("commands:\n");
    for (Command c : Commands.all()) {
      sb.append(String.format("  %-10s %s%n", c.name(), c.summary()));
    }
    sb.append("\n'lora-dist COMMAND --help' lists a command's flags; docs/configuration.md lists every config key.\n");
    return sb.toString();
  }

  static String help(Command c) {
    StringBuilder sb = new StringBuilder();
    sb.append("usage: lora-dist ").append(c.name()).append(" [flags]\n").append(c.summary()).append("\n\nflags:\n");
    for (Flag f : c.flags()) {
      sb.append(String.format("  %-22s %s (config: %s, default: %s)%n", f.name(), f.help(), f.setting().key(),
          f.setting().defaultValue()));
    }
    sb.append(String.format("  %-22s %s%n", "--conf FILE", "HOCON config file (keys: docs/configuration.md)"));
    sb.append(String.format("  %-22s %s%n", "--set key=value", "override one config key (repeatable)"));
    sb.append(String.format("  %-22s %s%n", "--master URL", "Spark master (default: local[*], or spark-submit's)"));
    sb.append(String.format("  %-22s %s%n", "--dry-run", "validate arguments and config, run nothing"));
    sb.append("\nexit status: 0 success, 1 job failed, 2 usage or configuration error\n");
    return sb.toString();
  }
}
