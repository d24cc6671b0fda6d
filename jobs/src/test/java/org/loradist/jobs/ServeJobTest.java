package org.loradist.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loradist.jobs.serve.ParquetFixtures;

/** What {@code lora-dist serve} refuses before it starts listening, each with one line (the server: SearchServerTest). */
class ServeJobTest {
  @TempDir
  Path tmp;

  private Path embeddings(String name, String model, String adapter) throws Exception {
    Path dir = tmp.resolve(name);
    float[] v = new float[384];
    v[0] = 1;
    ParquetFixtures.writeEmbeddings(dir, List.of("c0"), new float[][] {v}, model, adapter);
    return dir;
  }

  @Test
  void refusesEmbeddingsMadeWithAnAdapterThatIsNotGiven() throws Exception {
    Path dir = embeddings("adapted", "all-MiniLM-L6-v2", "runs/retrieval/adapter");
    MainTest.Result r = MainTest.run("serve", "--embeddings", dir.toString(), "--port", "0");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).isEqualTo("lora-dist serve: the embeddings in " + dir + " were made with adapter "
        + "'runs/retrieval/adapter', which --adapter does not provide: pass --adapter with that adapter directory");
    Path other = Files.createDirectories(tmp.resolve("runs/other/adapter"));
    MainTest.Result wrong = MainTest.run("serve", "--embeddings", dir.toString(), "--adapter", other.toString());
    assertThat(wrong.code()).isEqualTo(Main.USAGE);
    assertThat(wrong.err()).contains("were made with adapter 'runs/retrieval/adapter', not --adapter " + other);
  }

  @Test
  void refusesAnAdapterForBaseModelEmbeddingsAndAnotherModel() throws Exception {
    Path base = embeddings("base", "all-MiniLM-L6-v2", null);
    Path adapter = Files.createDirectories(tmp.resolve("some-adapter"));
    MainTest.Result r = MainTest.run("serve", "--embeddings", base.toString(), "--adapter", adapter.toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).contains("were made by the base model without an adapter; --adapter " + adapter);
    Path foreign = embeddings("foreign", "intfloat/e5-small-v2", null);
    MainTest.Result m = MainTest.run("serve", "--embeddings", foreign.toString());
    assertThat(m.code()).isEqualTo(Main.USAGE);
    assertThat(m.err().strip()).isEqualTo("lora-dist serve: the embeddings in " + foreign + " were made by model "
        + "'intfloat/e5-small-v2', but queries would be embedded by 'all-MiniLM-L6-v2' (--model default): pass "
        + "--model with the model that made them");
  }

  @Test
  void refusesAnUnfinishedFolderAndMissingArguments() throws Exception {
    Path dir = embeddings("unfinished", "all-MiniLM-L6-v2", null);
    Files.delete(dir.resolve("_SUCCESS"));
    MainTest.Result r = MainTest.run("serve", "--embeddings", dir.toString());
    assertThat(r.code()).isEqualTo(Main.FAILED);
    assertThat(r.err().strip()).isEqualTo("lora-dist serve: failed: embeddings folder " + dir
        + " has no _SUCCESS (an unfinished or interrupted write): refusing to read it");
    assertThat(MainTest.run("serve").err()).contains("--embeddings");
    assertThat(MainTest.run("serve", "--embeddings", dir.toString(), "--adapter", tmp.resolve("nope").toString())
        .err()).contains("adapter directory not found: ");
  }

  @Test
  void matchesTheAdapterColumnAgainstTheGivenDirectory() {
    Path cwd = Path.of("").toAbsolutePath();
    assertThat(ServeJob.sameAdapter("runs/a/adapter", "runs/a/adapter")).isTrue();
    assertThat(ServeJob.sameAdapter("runs/a/adapter", cwd.resolve("runs/a/adapter").toString())).isTrue();
    assertThat(ServeJob.sameAdapter("file:" + cwd.resolve("runs/a/adapter"), "runs/a/adapter/")).isTrue();
    assertThat(ServeJob.sameAdapter("runs/a/adapter", "runs/b/adapter")).isFalse();
    assertThat(ServeJob.sameAdapter("/elsewhere/runs/a/adapter", cwd.resolve("runs/a/adapter").toString())).isFalse();
  }
}
