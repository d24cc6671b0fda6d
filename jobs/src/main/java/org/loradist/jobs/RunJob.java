package org.loradist.jobs;

import static org.loradist.jobs.config.WritebackSettings.E_BASELINE;
import static org.loradist.jobs.config.WritebackSettings.E_CHUNKS;
import static org.loradist.jobs.config.WritebackSettings.E_EMBEDDINGS;
import static org.loradist.jobs.config.WritebackSettings.E_GOLD;
import static org.loradist.jobs.config.WritebackSettings.E_JUDGEMENTS;
import static org.loradist.jobs.config.WritebackSettings.E_OUTPUT;
import static org.loradist.jobs.config.WritebackSettings.E_PREDICTIONS;
import static org.loradist.jobs.config.WritebackSettings.E_RANKINGS;
import static org.loradist.jobs.config.WritebackSettings.WB_ADAPTER;
import static org.loradist.jobs.config.WritebackSettings.WB_CHUNKS;
import static org.loradist.jobs.config.WritebackSettings.WB_OUTPUT;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.loradist.jobs.cli.Command;
import org.loradist.jobs.cli.Flag;
import org.loradist.jobs.cli.JobContext;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.config.RunSettings;
import org.loradist.jobs.config.Settings;
import org.loradist.jobs.config.TrainSettings;
import org.loradist.jobs.output.StageCheck;

/**
 * {@code lora-dist run}: prep → embed → train → writeback → eval from one config, in one Spark session. Each stage is
 * the ordinary command with its ordinary keys; paths left empty are derived from {@code run.output}. A stage whose
 * output is already complete for the same inputs and settings is skipped (writeback and eval decide that themselves
 * with their job fingerprint; prep, embed and train by comparing their manifest with the config, see
 * {@link StageCheck}), so the same command after a failure resumes at the stage that failed. A complete output made
 * from other inputs or settings is refused with one line, never overwritten.
 */
public final class RunJob implements Command {

  /** One stage of this run: its command and the config it runs with (derived paths filled in). */
  record Stage(Command command, JobConfig config, String output) {
    String name() {
      return command.name();
    }
  }

  @Override
  public String name() {
    return "run";
  }

  @Override
  public String summary() {
    return "the whole pipeline from one config: prep, embed, train, writeback, eval; complete stages are skipped";
  }

  @Override
  public List<Flag> flags() {
    return List.of(Flag.of("--output", RunSettings.OUTPUT), Flag.of("--stages", RunSettings.STAGES));
  }

  @Override
  public void validate(JobContext ctx) {
    for (Stage s : plan(ctx.config())) {
      try {
        s.command().validate(new JobContext(s.name(), s.config(), ctx.out()));
      } catch (ConfigException e) {
        throw new ConfigException("stage " + s.name() + ": " + e.getMessage());
      }
    }
  }

  @Override
  public void run(JobContext ctx) throws Exception {
    List<Stage> stages = plan(ctx.config());
    // Opened here, owned by the run: every stage's context finds it active and shares it.
    Configuration hadoop = ctx.spark().sparkContext().hadoopConfiguration();
    Map<String, String> outcome = new LinkedHashMap<>();
    int n = 0;
    for (Stage s : stages) {
      n++;
      String before = StageCheck.finished(s.output(), hadoop);
      if (StageCheck.SELF_CHECKED.contains(s.name())) {
        // writeback and eval skip (or refuse) by their own job fingerprint
      } else {
        try {
          if (StageCheck.alreadyComplete(s.name(), s.output(), inputsOf(s, hadoop), s.config(), hadoop)) {
            ctx.out().println("lora-dist run: [" + n + "/" + stages.size() + "] " + s.name() + ": " + s.output()
                + " is already complete for these inputs and settings (skipped)");
            outcome.put(s.name(), "skipped");
            continue;
          }
        } catch (ConfigException e) {
          throw new ConfigException("stage " + s.name() + ": " + e.getMessage());
        }
      }
      ctx.out().println("lora-dist run: [" + n + "/" + stages.size() + "] " + s.name() + " -> " + s.output());
      try (JobContext stageCtx = new JobContext(s.name(), s.config(), ctx.out())) {
        s.command().run(stageCtx);
      } catch (ConfigException e) {
        throw new ConfigException("stage " + s.name() + ": " + e.getMessage());
      } catch (Exception | Error e) {
        ctx.out().println("lora-dist run: stage " + s.name() + " failed; the same command again resumes at it");
        throw e;
      }
      outcome.put(s.name(), Objects.equals(before, StageCheck.finished(s.output(), hadoop)) ? "skipped" : "ran");
    }
    ctx.out().println("lora-dist run: done");
    for (Stage s : stages) {
      ctx.out().println(String.format("  %-10s %-8s %s", s.name(), outcome.get(s.name()), StageCheck.local(s.output())));
    }
    stages.stream().filter(s -> s.name().equals("eval")).findFirst().ifPresent(s -> {
      Object verdict = StageCheck.manifestField(s.output(), "verdict", hadoop);
      if (verdict != null) {
        ctx.out().println("lora-dist run: " + verdict);
      }
      ctx.out().println("lora-dist run: report " + StageCheck.local(s.output()) + "/report.html");
    });
  }

  /** The files a stage reads, as its own command fingerprints them in its manifest. */
  private static List<String> inputsOf(Stage s, Configuration hadoop) throws java.io.IOException {
    JobConfig c = s.config();
    return switch (s.name()) {
      case "prep" -> c.list(Settings.PREP_INPUT);
      case "embed" -> List.of(EmbedJob.chunksFolder(c.string(Settings.EMBED_CHUNKS), hadoop));
      case "train" -> {
        List<String> in = new ArrayList<>(List.of(c.string(TrainSettings.TRAIN)));
        for (var k : List.of(TrainSettings.EVAL, TrainSettings.REPLAY)) {
          if (!c.string(k).isEmpty()) {
            in.add(c.string(k));
          }
        }
        yield in;
      }
      default -> throw new IllegalStateException("no inputs known for " + s.name());
    };
  }

  /** The stages to run, in pipeline order, each with the config it runs with. */
  static List<Stage> plan(JobConfig c) {
    List<String> names = stageNames(c);
    JobConfig derived = derive(c);
    Map<String, Command> byName = new LinkedHashMap<>();
    for (Command cmd : List.of(new PrepJob(), new EmbedJob(), new TrainJob(), new WritebackJob(), new EvalJob())) {
      byName.put(cmd.name(), cmd);
    }
    List<Stage> stages = new ArrayList<>();
    for (String name : RunSettings.STAGE_NAMES) {
      if (names.contains(name)) {
        String out = derived.string(switch (name) {
          case "prep" -> Settings.PREP_OUTPUT;
          case "embed" -> Settings.EMBED_OUTPUT;
          case "train" -> TrainSettings.OUTPUT;
          case "writeback" -> WB_OUTPUT;
          default -> E_OUTPUT;
        });
        if (out.isBlank()) {
          throw new ConfigException("stage " + name + " has no output folder: set run.output (or " + name
              + ".output)");
        }
        stages.add(new Stage(byName.get(name), derived, out));
      }
    }
    return stages;
  }

  private static List<String> stageNames(JobConfig c) {
    List<String> given = c.list(RunSettings.STAGES);
    for (String s : given) {
      if (!RunSettings.STAGE_NAMES.contains(s)) {
        throw new ConfigException("invalid value for 'run.stages': " + s + " (expected some of "
            + String.join(", ", RunSettings.STAGE_NAMES) + ")");
      }
    }
    if (!given.isEmpty()) {
      return given;
    }
    List<String> names = new ArrayList<>();
    if (!c.list(Settings.PREP_INPUT).isEmpty()) {
      names.add("prep");
    }
    if (names.contains("prep") || !c.string(Settings.EMBED_CHUNKS).isBlank()) {
      names.add("embed");
    }
    if (!c.string(TrainSettings.TASK).isBlank() && !c.string(TrainSettings.TRAIN).isBlank()) {
      names.add("train");
    }
    if (names.contains("train") || !c.string(WB_ADAPTER).isBlank()) {
      names.add("writeback");
    }
    if (!c.string(E_JUDGEMENTS).isBlank() || !c.string(E_GOLD).isBlank()) {
      names.add("eval");
    }
    if (names.isEmpty()) {
      throw new ConfigException("nothing to run: set prep.input, train.task and train.train, or eval.judgements "
          + "(or list run.stages)");
    }
    return names;
  }

  /**
   * Fills the paths between stages that the config leaves empty, from run.output: ROOT/prep, ROOT/embeddings,
   * ROOT/train (its adapter/ feeds writeback), ROOT/writeback, ROOT/eval.
   */
  static JobConfig derive(JobConfig c) {
    String root = c.string(RunSettings.OUTPUT).replaceAll("/+$", "");
    Map<String, Object> set = new LinkedHashMap<>();
    String prep = orRoot(c.string(Settings.PREP_OUTPUT), root, "prep");
    String embed = orRoot(c.string(Settings.EMBED_OUTPUT), root, "embeddings");
    String train = orRoot(c.string(TrainSettings.OUTPUT), root, "train");
    String writeback = orRoot(c.string(WB_OUTPUT), root, "writeback");
    String eval = orRoot(c.string(E_OUTPUT), root, "eval");
    fill(set, c, Settings.PREP_OUTPUT, prep);
    fill(set, c, Settings.EMBED_CHUNKS, prep);
    fill(set, c, Settings.EMBED_OUTPUT, embed);
    fill(set, c, TrainSettings.OUTPUT, train);
    fill(set, c, WB_CHUNKS, prep);
    fill(set, c, WB_ADAPTER, train.isEmpty() ? "" : train + "/adapter");
    fill(set, c, WB_OUTPUT, writeback);
    if (c.string(E_RANKINGS).isBlank() && c.string(E_EMBEDDINGS).isBlank() && c.string(E_PREDICTIONS).isBlank()) {
      fill(set, c, c.string(TrainSettings.TASK).equals("classification") ? E_PREDICTIONS : E_EMBEDDINGS, writeback);
    }
    fill(set, c, E_BASELINE, embed);
    fill(set, c, E_CHUNKS, prep);
    fill(set, c, E_OUTPUT, eval);
    return c.with(set);
  }

  private static String orRoot(String given, String root, String name) {
    return !given.isBlank() || root.isEmpty() ? given : root + "/" + name;
  }

  private static void fill(Map<String, Object> set, JobConfig c, org.loradist.jobs.config.Setting key, String value) {
    if (c.string(key).isBlank() && !value.isEmpty()) {
      set.put(key.key(), value);
    }
  }
}
