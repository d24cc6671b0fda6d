package org.loradist.jobs.train;

import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.config.Setting;
import org.loradist.jobs.config.TrainSettings;
import org.loradist.train.lora.Examples;

/**
 * The train, eval and replay inputs of a task whose every input maps rows to examples the same way (retrieval,
 * causal-lm): the same fields required of each, the same reading, rejects and refusal of an input without one usable
 * row. Classification reads its own, as its eval and replay labels map onto the training classes.
 *
 * @param eval null without {@code --eval}
 * @param replay empty without {@code --replay}
 */
record ExampleInputs<E>(List<E> train, List<E> eval, List<E> replay, InputRejects rejects) {

  /** A field every input must have: the setting naming it, its role in messages and the flag that sets it. */
  record Field(Setting setting, String role, String flag) {}

  /** Refuses any given input that lacks one of {@code fields}, looking at the inputs without Spark. */
  static void requireFields(JobConfig c, Field... fields) {
    requireFields(c, TrainSettings.TRAIN, "--train", fields);
    requireFields(c, TrainSettings.EVAL, "--eval", fields);
    requireFields(c, TrainSettings.REPLAY, "--replay", fields);
  }

  private static void requireFields(JobConfig c, Setting input, String flag, Field... fields) {
    String path = c.string(input);
    InputPeek p = path.isEmpty() ? null : InputPeek.of(path, null, flag);
    if (p != null) {
      for (Field f : fields) {
        p.require(c.string(f.setting()), f.role(), f.flag(), f.setting().key());
      }
    }
  }

  /**
   * Reads the three inputs with {@code toExamples}; an input with no usable row is refused as "no usable
   * {@code what}" with its rejected count and first reason.
   */
  static <E> ExampleInputs<E> read(SparkSession spark, JobConfig c, String what,
      Function<Dataset<Row>, Examples<E>> toExamples) {
    InputRejects rejects = new InputRejects();
    List<E> train = read(spark, c, TrainSettings.TRAIN, "--train", "train", what, toExamples, rejects);
    List<E> eval = c.string(TrainSettings.EVAL).isEmpty() ? null
        : read(spark, c, TrainSettings.EVAL, "--eval", "eval", what, toExamples, rejects);
    List<E> replay = c.string(TrainSettings.REPLAY).isEmpty() ? List.of()
        : read(spark, c, TrainSettings.REPLAY, "--replay", "replay", what, toExamples, rejects);
    return new ExampleInputs<>(train, eval, replay, rejects);
  }

  private static <E> List<E> read(SparkSession spark, JobConfig c, Setting path, String flag, String input,
      String what, Function<Dataset<Row>, Examples<E>> toExamples, InputRejects rejects) {
    TrainInput.Read read = TrainInput.read(spark, c.string(path), flag);
    Examples<E> ex = ClassificationTask.examples(read.path(), () -> toExamples.apply(read.rows()));
    rejects.add(input, read, ex);
    if (ex.examples().isEmpty()) {
      throw new ConfigException(read.path() + ": no usable " + what + " (" + ex.rejects().size()
          + " rejected" + (ex.rejects().isEmpty() ? "" : ", e.g. " + ex.rejects().get(0).reason()) + ")");
    }
    return ex.examples();
  }
}
