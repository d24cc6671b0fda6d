package org.loradist.jobs;

import static org.loradist.jobs.config.WritebackSettings.E_BASELINE;
import static org.loradist.jobs.config.WritebackSettings.E_EMBEDDINGS;
import static org.loradist.jobs.config.WritebackSettings.E_CHUNKS;
import static org.loradist.jobs.config.WritebackSettings.E_GOLD;
import static org.loradist.jobs.config.WritebackSettings.E_ID_FIELD;
import static org.loradist.jobs.config.WritebackSettings.E_JUDGEMENTS;
import static org.loradist.jobs.config.WritebackSettings.E_J_GRADE_FIELD;
import static org.loradist.jobs.config.WritebackSettings.E_J_LEVEL;
import static org.loradist.jobs.config.WritebackSettings.E_J_QUERY_FIELD;
import static org.loradist.jobs.config.WritebackSettings.E_J_TARGET_FIELD;
import static org.loradist.jobs.config.WritebackSettings.E_KNN_K;
import static org.loradist.jobs.config.WritebackSettings.E_LABEL_FIELD;
import static org.loradist.jobs.config.WritebackSettings.E_LR_ITER;
import static org.loradist.jobs.config.WritebackSettings.E_OUTPUT;
import static org.loradist.jobs.config.WritebackSettings.E_PREDICTIONS;
import static org.loradist.jobs.config.WritebackSettings.E_QUERIES;
import static org.loradist.jobs.config.WritebackSettings.E_RANKINGS;
import static org.loradist.jobs.config.WritebackSettings.E_TASK;
import static org.loradist.jobs.config.WritebackSettings.E_TEXT_FIELD;
import static org.loradist.jobs.config.WritebackSettings.E_TRAIN;
import static org.loradist.jobs.config.WritebackSettings.E_TRAIN_LIMIT;
import static org.loradist.jobs.config.WritebackSettings.Q_ID_FIELD;
import static org.loradist.jobs.config.WritebackSettings.Q_QUERY_FIELD;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.loradist.jobs.cli.Command;
import org.loradist.jobs.cli.Flag;
import org.loradist.jobs.cli.JobContext;
import org.loradist.jobs.config.ConfigException;
import org.loradist.jobs.config.JobConfig;
import org.loradist.jobs.config.Setting;
import org.loradist.jobs.config.WritebackSettings;
import org.loradist.jobs.output.AtomicOutput;
import org.loradist.jobs.output.InputFingerprint;
import org.loradist.jobs.output.Manifest;
import org.loradist.jobs.output.OutputGuard;
import org.loradist.pipelines.eval.ClassificationMetrics;

/**
 * {@code lora-dist eval}: the adapter next to its baseline on the same data, always. Retrieval: Recall@1/5/10,
 * MRR@10 and nDCG@10 of the adapter's rankings (a query output, or computed here from adapted embeddings and
 * --queries) and the base encoder's (--baseline: a query output, or an embed output searched here with the same
 * queries) against relevance judgements; the winner is decided by nDCG@10. Classification: accuracy, macro-F1 and
 * confusion matrices of the adapter's predictions (a writeback output) and of the baselines (--baseline: base
 * predictions, or an embed output on which logistic regression and k-NN are fitted with --train) against gold
 * labels; decided by macro-F1. Writes metrics.json and report.html.
 */
public final class EvalJob implements Command {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Override
  public String name() {
    return "eval";
  }

  @Override
  public String summary() {
    return "metrics of an adapter's rankings or predictions next to the base model's; metrics.json + report.html";
  }

  @Override
  public List<Flag> flags() {
    return List.of(Flag.of("--task", E_TASK), Flag.of("--rankings", E_RANKINGS), Flag.of("--judgements", E_JUDGEMENTS),
        Flag.of("--predictions", E_PREDICTIONS), Flag.of("--gold", E_GOLD), Flag.of("--baseline", E_BASELINE),
        Flag.of("--embeddings", E_EMBEDDINGS), Flag.of("--queries", E_QUERIES),
        Flag.of("--train", E_TRAIN), Flag.of("--chunks", E_CHUNKS), Flag.of("--output", E_OUTPUT),
        Flag.of("--id-field", E_ID_FIELD), Flag.of("--label-field", E_LABEL_FIELD),
        Flag.of("--text-field", E_TEXT_FIELD), Flag.of("--query-id-field", Q_ID_FIELD),
        Flag.of("--query-field", Q_QUERY_FIELD), Flag.of("--judgement-query-field", E_J_QUERY_FIELD),
        Flag.of("--judgement-target-field", E_J_TARGET_FIELD), Flag.of("--judgement-level", E_J_LEVEL),
        Flag.of("--judgement-grade-field", E_J_GRADE_FIELD), Flag.of("--knn-k", E_KNN_K),
        Flag.of("--logreg-max-iter", E_LR_ITER), Flag.of("--train-limit", E_TRAIN_LIMIT));
  }

  static String task(JobConfig c) {
    String t = c.string(E_TASK);
    if (!t.equals("auto")) {
      return t;
    }
    boolean rankings = !c.string(E_RANKINGS).isBlank() || !c.string(E_EMBEDDINGS).isBlank();
    boolean predictions = !c.string(E_PREDICTIONS).isBlank();
    if (rankings == predictions) {
      throw new ConfigException("give --rankings or --embeddings (retrieval) or --predictions (classification), not "
          + (rankings ? "both" : "neither") + " (or set --task)");
    }
    return rankings ? "retrieval" : "classification";
  }

  @Override
  public void validate(JobContext ctx) {
    JobConfig c = ctx.config();
    c.required(E_OUTPUT, "--output");
    c.required(E_BASELINE, "--baseline");
    if (task(c).equals("retrieval")) {
      if (c.string(E_RANKINGS).isBlank()) {
        c.required(E_EMBEDDINGS, "--rankings or --embeddings");
        c.required(E_QUERIES, "--queries");
      }
      c.required(E_JUDGEMENTS, "--judgements");
    } else {
      c.required(E_PREDICTIONS, "--predictions");
      c.required(E_GOLD, "--gold");
    }
  }

  @Override
  public void run(JobContext ctx) throws Exception {
    JobConfig c = ctx.config();
    SparkSession spark = ctx.spark();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    String task = task(c);
    String target = c.string(E_OUTPUT);
    // The run's identity: every eval key and the fields it reads, over the input files named by them.
    Map<String, Object> shaping = new LinkedHashMap<>();
    for (Setting s : WritebackSettings.ALL) {
      if (s.key().startsWith("eval.") && s != E_OUTPUT || s == Q_ID_FIELD || s == Q_QUERY_FIELD) {
        shaping.put(s.key(), c.effective().get(s.key()));
      }
    }
    List<String> named = new ArrayList<>();
    for (Setting s : List.of(E_RANKINGS, E_JUDGEMENTS, E_PREDICTIONS, E_GOLD, E_BASELINE, E_EMBEDDINGS,
        E_QUERIES, E_TRAIN, E_CHUNKS)) {
      if (!c.string(s).isBlank()) {
        named.add(c.string(s));
      }
    }
    String inputFingerprint = InputFingerprint.of(named, hadoop);
    String runId = OutputGuard.fingerprint(inputFingerprint, shaping);
    if (OutputGuard.alreadyComplete(name(), target, runId, hadoop)) {
      ctx.out().println("lora-dist eval: " + target + " is already complete for these inputs and settings (skipped)");
      return;
    }
    Manifest manifest = new Manifest(name(), c.effective(), inputFingerprint);
    List<String> inputs = new ArrayList<>();
    EvalReport.Summary summary;
    Map<String, long[][]> confusions = new LinkedHashMap<>();
    Map<String, List<String>> confusionLabels = new LinkedHashMap<>();
    if (task.equals("retrieval")) {
      RetrievalEval.Result r = RetrievalEval.run(spark, c, inputs);
      Map<String, Map<String, Double>> systems = new LinkedHashMap<>();
      Map<String, Object> details = new LinkedHashMap<>();
      r.systems().forEach((name, m) -> {
        systems.put(name, m.values());
        details.put(name + "_queries", Map.of("judged", m.judgedQueries(), "unanswered", m.unansweredQueries(),
            "unjudged", m.unjudgedQueries()));
      });
      summary = new EvalReport.Summary(task, r.level(), "ndcg@10", systems, details, r.notes());
    } else {
      ClassificationEval.Result r = ClassificationEval.run(spark, c, inputs);
      Map<String, Map<String, Double>> systems = new LinkedHashMap<>();
      Map<String, Object> details = new LinkedHashMap<>();
      for (var e : r.systems().entrySet()) {
        ClassificationMetrics m = e.getValue();
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("accuracy", m.accuracy());
        v.put("macro_f1", m.macroF1());
        systems.put(e.getKey(), v);
        details.put(e.getKey() + "_examples", m.examples());
        details.put(e.getKey() + "_confusion", Map.of("labels", m.labels(), "matrix", m.confusion()));
        confusions.put(e.getKey(), m.confusion());
        confusionLabels.put(e.getKey(), m.labels());
      }
      summary = new EvalReport.Summary(task, r.level(), "macro_f1", systems, details, r.notes());
    }
    manifest.lap("evaluate");
    AtomicOutput out = AtomicOutput.begin(target, hadoop);
    try {
      write(hadoop, out.part("metrics.json"), JSON.writeValueAsString(EvalReport.json(summary)) + "\n");
      write(hadoop, out.part("report.html"), EvalReport.html(summary, confusions, confusionLabels));
      manifest.put("task", task).put("winner", summary.winner()).put("verdict", summary.verdict())
          .put("inputs", inputs).put(OutputGuard.FIELD, runId);
      out.commit(manifest.toJson());
    } catch (RuntimeException e) {
      out.abort();
      throw e;
    }
    ctx.out().println("lora-dist eval: " + summary.verdict());
    String where = out.target().startsWith("file:") ? new Path(out.target()).toUri().getPath() : out.target();
    ctx.out().println("lora-dist eval: metrics " + where + "/metrics.json, report " + where + "/report.html");
  }

  private static void write(Configuration hadoop, String path, String content) throws java.io.IOException {
    Path p = new Path(path);
    try (OutputStream o = p.getFileSystem(hadoop).create(p, true)) {
      o.write(content.getBytes(StandardCharsets.UTF_8));
    }
  }
}
