package org.loradist.jobs.config;

import static org.loradist.jobs.config.Setting.list;
import static org.loradist.jobs.config.Setting.string;

import java.util.List;

/** Keys of {@code lora-dist run}: the whole pipeline from one config (the stages keep their own keys). */
public final class RunSettings {
  private RunSettings() {}

  public static final List<String> STAGE_NAMES = List.of("prep", "embed", "train", "writeback", "eval");

  public static final Setting OUTPUT = string("run.output", "",
      "Root folder of a pipeline run: a stage's output (and the inputs of the next stage) left empty in the config "
          + "is derived from it: ROOT/prep, ROOT/embeddings, ROOT/train, ROOT/writeback, ROOT/eval.");
  public static final Setting STAGES = list("run.stages", List.of(),
      "Stages to run, in pipeline order (prep, embed, train, writeback, eval); empty: every stage whose own keys are "
          + "set (prep: prep.input; embed: with prep or embed.chunks; train: train.task and train.train; writeback: "
          + "with train or writeback.adapter; eval: eval.judgements or eval.gold).");

  public static final List<Setting> ALL = List.of(OUTPUT, STAGES);
}
