package org.loradist.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.cluster.LocalStandaloneCluster;

/**
 * prep on a real standalone cluster (a Master and two Workers, each executor its own JVM) gives exactly the output
 * of the same run on local[2].
 */
class PrepClusterIT {
  @TempDir Path dir;

  @Test
  void clusterOutputEqualsLocalOutput() throws Exception {
    Path onCluster = dir.resolve("cluster");
    Path onLocal = dir.resolve("local");
    try (LocalStandaloneCluster cluster = LocalStandaloneCluster.start(dir.resolve("spark"), 2, 1, "1g")) {
      SparkSession spark = SparkSession.builder().config(cluster.sparkConfForApp()).appName("prep-cluster-it")
          .getOrCreate();
      try {
        cluster.awaitExecutors(spark.sparkContext(), 2, Duration.ofSeconds(180));
        MainTest.Result r = MainTest.run("prep", "--conf", "../conf/quickstart.conf", "--input",
            PrepJobTest.QUICKSTART_INPUT, "--output", onCluster.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(cluster.executorPids()).hasSize(2);
      } finally {
        spark.stop();
      }
    }
    MainTest.Result r = MainTest.run("prep", "--conf", "../conf/quickstart.conf", "--input",
        PrepJobTest.QUICKSTART_INPUT, "--output", onLocal.toString(), "--master", "local[2]");
    assertThat(r.code()).as(r.err()).isZero();

    SparkSession reader = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
    try {
      for (String[] part : List.of(
          new String[] {"docs", "doc_id", "source", "title", "text", "chars", "content_hash"},
          new String[] {"chunks", "chunk_id", "doc_id", "ordinal", "text", "start_char", "end_char", "n_tokens",
              "cast(headings as string)"},
          new String[] {"rejects", "source", "position", "reason"},
          new String[] {"duplicates", "doc_id", "duplicate_of", "group_id", "kind"})) {
        String[] cols = java.util.Arrays.copyOfRange(part, 1, part.length);
        assertThat(PrepOutputs.rows(reader, onCluster, part[0], cols)).as(part[0])
            .isEqualTo(PrepOutputs.rows(reader, onLocal, part[0], cols));
      }
      assertThat(PrepOutputs.count(PrepOutputs.counts(onCluster), "docs")).isGreaterThan(300);
      assertThat(PrepOutputs.count(PrepOutputs.counts(onCluster), "deduplicated")).isGreaterThan(0);
      PrepOutputs.assertChunksLocateTheirText(reader, onCluster);
    } finally {
      reader.stop();
    }
  }
}
