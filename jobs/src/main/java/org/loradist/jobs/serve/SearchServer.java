package org.loradist.jobs.serve;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.loradist.pipelines.retrieve.Hit;
import org.loradist.pipelines.retrieve.Retriever;

/**
 * HTTP search over a {@link Retriever} on the JDK's built-in server: {@code POST /search} takes
 * {"query": "...", "k": 10} and answers the hits as JSON; {@code GET /info} describes the corpus; {@code GET /}
 * is a plain search page. Every refusal is a 4xx with {"error": "..."}; an unexpected failure is a 500 with a
 * generic message (its stack trace goes to the server's log, never to the client).
 */
public final class SearchServer implements AutoCloseable {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
  private static final byte[] PAGE = loadPage();

  private final Retriever retriever;
  private final QueryEncoder encoder;
  private final SearchLimits limits;
  private final PrintStream log;
  private final HttpServer server;
  private final ExecutorService threads;

  private SearchServer(Retriever retriever, QueryEncoder encoder, SearchLimits limits, PrintStream log,
      HttpServer server, ExecutorService threads) {
    this.retriever = retriever;
    this.encoder = encoder;
    this.limits = limits;
    this.log = log;
    this.server = server;
    this.threads = threads;
  }

  /** Binds {@code host:port} (port 0: any free one) and starts answering. */
  public static SearchServer start(Retriever retriever, QueryEncoder encoder, SearchLimits limits, String host,
      int port, int threadCount, PrintStream log) throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 64);
    ExecutorService pool = Executors.newFixedThreadPool(threadCount, r -> {
      Thread t = new Thread(r, "lora-dist-serve");
      t.setDaemon(true);
      return t;
    });
    SearchServer s = new SearchServer(retriever, encoder, limits, log, http, pool);
    http.createContext("/", s::handle);
    http.setExecutor(pool);
    http.start();
    return s;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String url() {
    InetSocketAddress a = server.getAddress();
    String host = a.getAddress().getHostAddress();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/";
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      try {
        route(ex);
      } catch (BadRequest e) {
        sendJson(ex, e.status, error(e.getMessage()));
      } catch (RuntimeException | Error e) {
        log.println("lora-dist serve: " + ex.getRequestMethod() + " " + ex.getRequestURI() + " failed:");
        e.printStackTrace(log);
        sendJson(ex, 500, error("internal error while answering the request (see the server log)"));
      }
    }
  }

  private void route(HttpExchange ex) throws IOException, BadRequest {
    String path = ex.getRequestURI().getPath();
    String method = ex.getRequestMethod();
    switch (path) {
      case "/search" -> {
        requireMethod(ex, "POST");
        search(ex);
      }
      case "/info" -> {
        requireMethod(ex, "GET");
        sendJson(ex, 200, info());
      }
      case "/", "/index.html" -> {
        requireMethod(ex, "GET");
        send(ex, 200, "text/html; charset=utf-8", method.equals("HEAD") ? new byte[0] : PAGE);
      }
      default -> throw new BadRequest(404, "no such path: " + path + " (paths: POST /search, GET /info, GET /)");
    }
  }

  private static void requireMethod(HttpExchange ex, String allowed) throws BadRequest {
    String method = ex.getRequestMethod();
    if (!method.equals(allowed) && !(allowed.equals("GET") && method.equals("HEAD"))) {
      ex.getResponseHeaders().set("Allow", allowed.equals("GET") ? "GET, HEAD" : allowed);
      throw new BadRequest(405, "method " + method + " not allowed on " + ex.getRequestURI().getPath() + " (use "
          + allowed + ")");
    }
  }

  private void search(HttpExchange ex) throws IOException, BadRequest {
    String body = readBody(ex);
    SearchRequest request = SearchRequest.parse(body, limits);
    long start = System.nanoTime();
    float[] vector = encoder.embed(request.query());
    long embedded = System.nanoTime();
    List<Hit> hits = retriever.search(vector, request.k());
    long searched = System.nanoTime();
    JsonObject out = new JsonObject();
    out.addProperty("query", request.query());
    out.addProperty("k", request.k());
    out.addProperty("embed_ms", (embedded - start) / 1e6);
    out.addProperty("search_ms", (searched - embedded) / 1e6);
    JsonArray results = new JsonArray();
    int rank = 1;
    for (Hit h : hits) {
      JsonObject r = new JsonObject();
      r.addProperty("rank", rank++);
      r.addProperty("score", h.score());
      r.addProperty("chunk_id", h.chunkId());
      boolean known = h.chunk() != null;
      r.addProperty("doc_id", known ? h.chunk().docId() : null);
      r.addProperty("text", known ? h.chunk().text() : null);
      r.add("headings", known ? GSON.toJsonTree(h.chunk().headings()) : null);
      r.addProperty("start_char", known ? h.chunk().startChar() : null);
      r.addProperty("end_char", known ? h.chunk().endChar() : null);
      results.add(r);
    }
    out.add("results", results);
    sendJson(ex, 200, out);
  }

  /** The body, refused past the limit without reading it all (a declared or an actual length over it). */
  private String readBody(HttpExchange ex) throws IOException, BadRequest {
    String declared = ex.getRequestHeaders().getFirst("Content-Length");
    String tooLarge = "request body over " + limits.maxBodyBytes() + " bytes";
    if (declared != null) {
      try {
        if (Long.parseLong(declared.strip()) > limits.maxBodyBytes()) {
          throw new BadRequest(413, tooLarge);
        }
      } catch (NumberFormatException e) {
        throw new BadRequest(400, "invalid Content-Length: " + declared);
      }
    }
    InputStream in = ex.getRequestBody();
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[4096];
    int n;
    while ((n = in.read(chunk)) > 0) {
      if (buf.size() + n > limits.maxBodyBytes()) {
        throw new BadRequest(413, tooLarge);
      }
      buf.write(chunk, 0, n);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  private JsonObject info() {
    JsonObject o = new JsonObject();
    o.addProperty("embeddings", retriever.folder());
    o.addProperty("model", retriever.model());
    o.addProperty("adapter", retriever.adapter());
    o.addProperty("vectors", retriever.size());
    o.addProperty("dimension", retriever.dimension());
    o.addProperty("index", retriever.index().kind());
    o.addProperty("storage", retriever.index().store().storage().name().toLowerCase());
    o.addProperty("kernel", retriever.index().store().kernel().name());
    o.addProperty("chunks", retriever.hasChunks());
    o.addProperty("max_k", limits.maxK());
    o.addProperty("default_k", limits.defaultK());
    return o;
  }

  private static JsonObject error(String message) {
    JsonObject o = new JsonObject();
    o.addProperty("error", message);
    return o;
  }

  private static void sendJson(HttpExchange ex, int status, JsonObject body) throws IOException {
    send(ex, status, "application/json; charset=utf-8", GSON.toJson(body).getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream os = ex.getResponseBody()) {
        os.write(body);
      }
    }
  }

  private static byte[] loadPage() {
    try (InputStream in = SearchServer.class.getResourceAsStream("search.html")) {
      if (in == null) {
        throw new IllegalStateException("search.html missing from the classpath (org/loradist/jobs/serve)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
