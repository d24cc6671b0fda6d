package org.loradist.jobs.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.pipelines.retrieve.Retriever;
import org.loradist.pipelines.retrieve.RetrieverOptions;

/**
 * The search server in this JVM on an ephemeral port, over ~200 real Debian descriptions embedded here with the
 * bundled model: search quality, the JSON contract, every refusal, and the search page in headless Chromium.
 */
class SearchServerTest {
  private static final int CORPUS = 200;
  /** Short descriptions and synopses: 64 tokens keep the fixture's embedding quick and lose little. */
  private static final int MAX_TOKENS = 64;
  @TempDir
  static Path tmp;
  private static List<ParquetFixtures.Package> packages;
  private static QueryEncoder encoder;
  private static SearchServer server;
  private static final ByteArrayOutputStream serverLog = new ByteArrayOutputStream();
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    packages = ParquetFixtures.debianDev(CORPUS);
    encoder = QueryEncoder.load("default", null, MAX_TOKENS);
    List<String> ids = new ArrayList<>();
    List<ParquetFixtures.ChunkRow> chunks = new ArrayList<>();
    float[][] vectors = new float[packages.size()][];
    for (int i = 0; i < packages.size(); i++) {
      ParquetFixtures.Package p = packages.get(i);
      ids.add(p.name() + "#0");
      chunks.add(new ParquetFixtures.ChunkRow(p.name() + "#0", p.name(), p.description(), List.of(p.section())));
    }
    try (var embedder = org.loradist.model.TextEmbedder.forModel("default",
        org.loradist.model.TextEmbedder.Options.defaults().withMaxTokens(MAX_TOKENS))) {
      float[][] embedded = embedder.embed(packages.stream().map(ParquetFixtures.Package::description).toList());
      System.arraycopy(embedded, 0, vectors, 0, vectors.length);
    }
    ParquetFixtures.writeEmbeddings(tmp.resolve("embed"), ids, vectors, "all-MiniLM-L6-v2", null);
    ParquetFixtures.writeChunks(tmp.resolve("prep"), chunks);
    Retriever retriever = Retriever.open(tmp.resolve("embed").toString(),
        RetrieverOptions.defaults().withChunks(tmp.resolve("prep").toString()));
    server = SearchServer.start(retriever, encoder, new SearchLimits(50, 500, 4096, 10), "127.0.0.1", 0, 2,
        new PrintStream(serverLog, true, StandardCharsets.UTF_8));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (encoder != null) {
      encoder.close();
    }
  }

  @Test
  void aSynopsisFindsItsOwnDescriptionInTheTopTen() throws Exception {
    int queries = 0;
    int found = 0;
    for (int i = 0; i < CORPUS; i += 20) {
      ParquetFixtures.Package p = packages.get(i);
      JsonObject answer = post("{\"query\": " + quote(p.synopsis()) + ", \"k\": 10}", 200);
      JsonArray results = answer.getAsJsonArray("results");
      assertThat(results).hasSize(10);
      queries++;
      for (JsonElement r : results) {
        if (r.getAsJsonObject().get("doc_id").getAsString().equals(p.name())) {
          found++;
          break;
        }
      }
    }
    assertThat(found).as("synopses whose description is in the top 10, of " + queries).isGreaterThanOrEqualTo(8);
  }

  @Test
  void answersTheResultContract() throws Exception {
    ParquetFixtures.Package p = packages.get(3);
    JsonObject answer = post("{\"query\": " + quote(p.synopsis()) + ", \"k\": 4}", 200);
    assertThat(answer.get("query").getAsString()).isEqualTo(p.synopsis().strip());
    assertThat(answer.get("k").getAsInt()).isEqualTo(4);
    JsonArray results = answer.getAsJsonArray("results");
    assertThat(results).hasSize(4);
    float previous = Float.MAX_VALUE;
    for (int i = 0; i < results.size(); i++) {
      JsonObject r = results.get(i).getAsJsonObject();
      assertThat(r.get("rank").getAsInt()).isEqualTo(i + 1);
      float score = r.get("score").getAsFloat();
      assertThat(score).isLessThanOrEqualTo(previous).isBetween(-1f, 1.0001f);
      previous = score;
      String docId = r.get("doc_id").getAsString();
      ParquetFixtures.Package hit = packages.stream().filter(x -> x.name().equals(docId)).findFirst().orElseThrow();
      assertThat(r.get("chunk_id").getAsString()).isEqualTo(docId + "#0");
      assertThat(r.get("text").getAsString()).isEqualTo(hit.description());
      assertThat(r.get("start_char").getAsInt()).isZero();
      assertThat(r.get("end_char").getAsInt()).isEqualTo(hit.description().length());
      assertThat(r.getAsJsonArray("headings").get(0).getAsString()).isEqualTo(hit.section());
    }
    // k is optional (10), and the info endpoint describes the corpus
    assertThat(post("{\"query\": \"a text editor\"}", 200).getAsJsonArray("results")).hasSize(10);
    JsonObject info = JsonParser.parseString(get("info", 200).body()).getAsJsonObject();
    assertThat(info.get("vectors").getAsInt()).isEqualTo(CORPUS);
    assertThat(info.get("model").getAsString()).isEqualTo("all-MiniLM-L6-v2");
    assertThat(info.get("dimension").getAsInt()).isEqualTo(384);
    // this JVM runs without --add-modules jdk.incubator.vector: the plain-Java kernel answers
    assertThat(info.get("kernel").getAsString()).isEqualTo("scalar");
  }

  @Test
  void refusesBadRequestsWithAJsonErrorAndNoStackTrace() throws Exception {
    assertError(post("{\"query\": ", 400), "request body is not valid JSON");
    assertError(post("[1, 2]", 400), "request body must be a JSON object");
    assertError(post("", 400), "request body must be a JSON object");
    assertError(post("{\"query\": \"   \"}", 400), "'query' is empty");
    assertError(post("{\"k\": 3}", 400), "missing field 'query'");
    assertError(post("{\"query\": 42}", 400), "'query' must be a string");
    assertError(post("{\"query\": \"" + "x".repeat(501) + "\"}", 400), "'query' has 501 characters, at most 500");
    assertError(post("{\"query\": \"editor\", \"k\": 0}", 400), "'k' must be an integer in [1, 50], got 0");
    assertError(post("{\"query\": \"editor\", \"k\": 51}", 400), "'k' must be an integer in [1, 50], got 51");
    assertError(post("{\"query\": \"editor\", \"k\": 2.5}", 400), "'k' must be an integer in [1, 50], got 2.5");
    assertError(post("{\"query\": \"editor\", \"k\": \"ten\"}", 400), "'k' must be an integer in [1, 50], got \"ten\"");
    assertError(post("{\"query\": \"editor\", \"limit\": 3}", 400), "unknown field 'limit'");
    assertError(post("{\"query\": \"" + "y".repeat(5000) + "\"}", 413), "request body over 4096 bytes");
    HttpResponse<String> wrongMethod = get("search", 405);
    assertThat(wrongMethod.headers().firstValue("Allow")).contains("POST");
    assertError(json(wrongMethod), "method GET not allowed on /search (use POST)");
    assertError(json(send(HttpRequest.newBuilder(uri("")).POST(HttpRequest.BodyPublishers.ofString("{}")), 405)),
        "method POST not allowed on / (use GET)");
    assertError(json(get("nope", 404)), "no such path: /nope");
    assertThat(serverLog.toString(StandardCharsets.UTF_8)).as("nothing failed inside the server").isEmpty();
  }

  @Test
  void theSearchPageRunsAQueryInHeadlessChromium() throws Exception {
    String page = get("", 200).body();
    assertThat(page).contains("<form id=\"search\"").contains("<ol id=\"results\">");
    String chromium = findChromium();
    ParquetFixtures.Package p = packages.get(40);
    String url = server.url() + "?q=" + URLEncoder.encode(p.synopsis(), StandardCharsets.UTF_8) + "&k=5";
    Path profile = Files.createDirectories(tmp.resolve("chromium-profile"));
    // --virtual-time-budget: the page's fetches finish before the DOM is dumped / the screenshot is taken
    List<String> common = List.of(chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
        "--user-data-dir=" + profile, "--virtual-time-budget=20000");
    String dom = runChromium(common, List.of("--dump-dom", url));
    assertThat(dom).contains("data-state=\"done\"");
    assertThat(dom.split("class=\"result\"", -1)).hasSize(6);
    assertThat(dom).contains("data-chunk-id=\"" + p.name() + "#0\"");
    assertThat(dom).contains("5 results in");
    Path png = Path.of("target", "serve-search-page.png").toAbsolutePath();
    Files.deleteIfExists(png);
    runChromium(common, List.of("--window-size=1200,900", "--screenshot=" + png, url));
    assertThat(png).exists();
    byte[] head = Files.readAllBytes(png);
    assertThat(head.length).isGreaterThan(10_000);
    assertThat(new String(head, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
  }

  /** CI installs Debian's chromium (.ci/run); its absence is a broken setup, so the test fails rather than skips. */
  private static String findChromium() {
    for (String name : new String[] {"chromium", "chromium-browser"}) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        File f = new File(dir, name);
        if (f.canExecute()) {
          return f.getPath();
        }
      }
    }
    throw new AssertionError("chromium not found on PATH: the search page test needs Debian's chromium package "
        + "(apt-get install -y chromium; .ci/run installs it when missing)");
  }

  private static String runChromium(List<String> common, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>(common);
    cmd.addAll(args);
    Path out = Files.createTempFile(tmp, "chromium", ".out");
    Process proc = new ProcessBuilder(cmd).redirectOutput(out.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (!proc.waitFor(90, TimeUnit.SECONDS)) {
      proc.destroyForcibly();
      throw new AssertionError("chromium did not finish within 90 s: " + cmd);
    }
    assertThat(proc.exitValue()).as("chromium exit status for " + cmd).isZero();
    return Files.readString(out);
  }

  private static void assertError(JsonObject body, String messageStart) {
    assertThat(body.keySet()).containsExactly("error");
    String error = body.get("error").getAsString();
    assertThat(error).startsWith(messageStart).doesNotContain("Exception").doesNotContain("\tat ");
  }

  private static JsonObject post(String body, int status) throws Exception {
    return json(send(HttpRequest.newBuilder(uri("search")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)), status));
  }

  private static HttpResponse<String> get(String path, int status) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET(), status);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request, int status) throws IOException,
      InterruptedException {
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return response;
  }

  private static JsonObject json(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
        .startsWith("application/json"));
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  private static URI uri(String path) {
    return URI.create(server.url() + path);
  }

  private static String quote(String s) {
    return new com.google.gson.Gson().toJson(s);
  }
}
