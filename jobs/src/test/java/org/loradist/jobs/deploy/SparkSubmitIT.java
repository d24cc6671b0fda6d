package org.loradist.jobs.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.cluster.LocalStandaloneCluster;

/**
 * The assembly jar deployed as users deploy it: {@code deploy/bin/lora-dist-submit} runs Spark's own
 * {@code org.apache.spark.deploy.SparkSubmit} in a child JVM, which submits {@code prep} on a slice of the quickstart sample and
 * then {@code embed} of its chunks to a standalone cluster (Master + 2 Workers, executors in their own JVMs) whose
 * SPARK_HOME holds Spark alone: DJL, the PyTorch and tokenizers natives, the default model, jsoup and lora-dist's own
 * classes reach the executors only inside the jar.
 */
class SparkSubmitIT {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path ASSEMBLY = Path.of("target/lora-dist-assembly.jar").toAbsolutePath();
  static final Path SAMPLE = ROOT.resolve("samples/quickstart");
  static final Duration JOB_TIMEOUT = Duration.ofMinutes(6);
  static final String LIGHT_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";
  /** A slice of the quickstart sample: enough for every stage to have work, small enough to embed in seconds. */
  static final int SLICE_RECORDS = 60;
  static final List<String> SLICE_PAGES = List.of("tutorial-concepts.html", "wal-intro.html");

  @TempDir
  Path tmp;

  @Test
  void prepThenEmbedRunOnTheStandaloneClusterFromTheAssemblyJar() throws Exception {
    assertThat(ASSEMBLY).as("the assembly jar (built in `package`; not with -Dassembly.skip=true)").isRegularFile();
    Set<String> bundled = entries(ASSEMBLY);
    Path input = sampleSlice(tmp.resolve("input"));
    Path prep = tmp.resolve("prep");
    Path embed = tmp.resolve("embed");

    try (LocalStandaloneCluster cluster = LocalStandaloneCluster.start(Path.of("target/it-clusters"),
        jar -> !sharesContent(jar, bundled), 2, 1, "1g")) {
      assertThat(jarNames(cluster.sparkHome())).as("Spark home").anyMatch(n -> n.startsWith("spark-core_"))
          .noneMatch(n -> n.startsWith("api-0.36") || n.startsWith("tokenizers-") || n.startsWith("pipelines-")
              || n.startsWith("lora-dist-") || n.startsWith("jsoup-") || n.startsWith("pytorch-"));

      // prep: jsoup, the tokenizers natives and the default model's tokenizer, on the executors, from the jar.
      String prepLog = submit(cluster, "prep", List.of("prep", "--conf", ROOT.resolve("conf/quickstart.conf").toString(),
          "--input", input.toString(), "--output", prep.toString()));
      assertThat(prepLog).contains("lora-dist prep: ").contains("-> file:" + prep);
      // embed: the PyTorch natives and the model's weights, on the executors, from the jar.
      String embedLog = submit(cluster, "embed", List.of("embed", "--chunks", prep.toString(),
          "--output", embed.toString()));
      assertThat(embedLog).contains("lora-dist embed: ").contains("-> file:" + embed);

      // Both jobs ran in the cluster's executors, one per Worker, which fetched the assembly from the driver.
      List<Path> executorLogs = executorLogs(cluster.clusterDir());
      assertThat(executorLogs).hasSize(4);
      for (Path stderr : executorLogs) {
        String executorLog = Files.readString(stderr);
        assertThat(executorLog).as(stderr.toString())
            .contains("\"-XX:TieredStopAtLevel=1\"").contains("\"-Dai.djl.offline=true\"")
            .contains("lora-dist-assembly.jar").contains("Running task");
      }
    }

    assertThat(prep.resolve("_SUCCESS")).exists();
    for (String part : List.of("docs", "chunks", "rejects", "duplicates")) {
      assertThat(parquetFiles(prep.resolve(part))).as(part).isNotEmpty();
    }
    JsonNode counts = manifest(prep).path("counts");
    long records = SLICE_RECORDS + SLICE_PAGES.size();
    assertThat(counts.path("records_in").asLong()).isEqualTo(records);
    assertThat(counts.path("docs").asLong()).isPositive();
    assertThat(counts.path("chunks").asLong()).isGreaterThanOrEqualTo(counts.path("docs").asLong());
    assertThat(counts.path("docs").asLong() + counts.path("rejected").asLong() + counts.path("deduplicated").asLong())
        .isEqualTo(records);

    assertThat(embed.resolve("_SUCCESS")).exists();
    assertThat(parquetFiles(embed.resolve("embeddings"))).isNotEmpty();
    JsonNode embedded = manifest(embed);
    assertThat(embedded.path("counts").path("chunks_in").asLong()).isEqualTo(counts.path("chunks").asLong());
    assertThat(embedded.path("counts").path("embeddings").asLong() + embedded.path("counts").path("rejected").asLong())
        .isEqualTo(counts.path("chunks").asLong());
    assertThat(embedded.path("counts").path("embeddings").asLong()).isPositive();
  }

  /** The first records of the sample's jsonl (gzip, as in the sample) and a few of its HTML pages. */
  private static Path sampleSlice(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
            new GZIPInputStream(Files.newInputStream(SAMPLE.resolve("debian-packages.jsonl.gz"))),
            StandardCharsets.UTF_8));
        Writer out = new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(dir.resolve("packages.jsonl.gz"))),
            StandardCharsets.UTF_8)) {
      List<String> lines = in.lines().limit(SLICE_RECORDS).collect(Collectors.toList());
      assertThat(lines).hasSize(SLICE_RECORDS).noneMatch(String::isBlank);
      for (String line : lines) {
        out.write(line);
        out.write('\n');
      }
    }
    for (String page : SLICE_PAGES) {
      Files.copy(SAMPLE.resolve("html").resolve(page), dir.resolve(page));
    }
    return dir;
  }

  /** deploy/bin/lora-dist-submit in client mode, SparkSubmit in a child JVM; returns its log after exit 0. */
  private String submit(LocalStandaloneCluster cluster, String name, List<String> cliArgs) throws Exception {
    Path log = tmp.resolve(name + "-submit.log");
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("deploy/bin/lora-dist-submit").toString(),
        "--master", cluster.masterUrl(),
        "--name", "lora-dist-" + name + "-it",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.cores.max=2",
        "--conf", "spark.executor.cores=1",
        "--conf", "spark.executor.memory=1g",
        // Short-lived JVMs on a small machine: C1 only, serial GC. Also shows that the launcher keeps the user's
        // JVM options and appends its own (-Dai.djl.offline=true, asserted in the executor logs below).
        "--conf", "spark.executor.extraJavaOptions=" + LIGHT_JVM,
        "--driver-java-options", LIGHT_JVM));
    command.addAll(cliArgs);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("SPARK_") || k.startsWith("LORA_DIST_"));
    env.put("SPARK_HOME", cluster.sparkHome().toString()); // jars/ only: SparkSubmit runs as `java -cp jars/*`
    env.put("LORA_DIST_JAR", ASSEMBLY.toString());
    env.put("LORA_DIST_DRIVER_MEMORY", "1g");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    Process submit = pb.start();
    boolean finished = submit.waitFor(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!finished) {
      submit.destroyForcibly().waitFor();
    }
    String output = Files.readString(log);
    assertThat(finished).as(name + ": spark-submit finished within " + JOB_TIMEOUT + "; log tail:\n" + tail(output))
        .isTrue();
    assertThat(submit.exitValue()).as(name + ": spark-submit exit status; log tail:\n" + tail(output)).isZero();
    return output;
  }

  private static JsonNode manifest(Path output) throws IOException {
    return new ObjectMapper().readTree(output.resolve("_manifest.json").toFile());
  }

  /** File entries of a jar outside META-INF/: what identifies the classes and resources it brings. */
  static Set<String> entries(Path jar) {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      Set<String> names = new HashSet<>();
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        if (!entry.isDirectory() && !entry.getName().startsWith("META-INF/")) {
          names.add(entry.getName());
        }
      }
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + jar, e);
    }
  }

  /**
   * A classpath jar belongs to the application when the assembly carries one of its class files or resources
   * outside META-INF/: then the executors must get it from the assembly, not from SPARK_HOME.
   */
  static boolean sharesContent(Path jar, Set<String> bundled) {
    return entries(jar).stream().anyMatch(bundled::contains);
  }

  private static List<String> jarNames(Path sparkHome) throws IOException {
    try (Stream<Path> jars = Files.list(sparkHome.resolve("jars"))) {
      return jars.map(p -> p.getFileName().toString()).collect(Collectors.toList());
    }
  }

  private static List<Path> executorLogs(Path clusterDir) throws IOException {
    try (Stream<Path> files = Files.walk(clusterDir)) {
      return files.filter(p -> p.getFileName().toString().equals("stderr"))
          .filter(p -> p.getParent().getParent().getFileName().toString().startsWith("app-"))
          .sorted().collect(Collectors.toList());
    }
  }

  private static List<Path> parquetFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".parquet")).collect(Collectors.toList());
    }
  }

  private static String tail(String log) {
    List<String> lines = new ArrayList<>(log.lines().toList());
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
