package org.loradist.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-batch NDManager scopes: resident memory does not grow with the number of batches embedded. */
class NativeMemoryTest {
  @Test
  void residentMemoryStaysFlatAcrossManyBatches() throws IOException {
    List<String> texts = new ArrayList<>();
    List<String> source = ParityTexts.load();
    for (int i = 0; i < 48; i++) {
      texts.add(source.get(i % source.size()) + " " + i);
    }
    // 8 texts x 64 tokens a batch: one batch's activations are tens of MB, so a per-batch leak shows at once
    TextEmbedder.Options opts = TextEmbedder.Options.defaults().withMaxTokens(64).withBatchTokens(512)
        .withMaxBatchSize(8);
    try (TextEmbedder embedder = TextEmbedder.forModel("default", opts)) {
      embedder.embed(texts); // warm-up: allocator pools, kernels
      long before = residentKb();
      for (int round = 0; round < 3; round++) {
        embedder.embed(texts);
      }
      long growthMb = (residentKb() - before) / 1024;
      System.out.println("RSS growth over 3 x " + texts.size() + " texts: " + growthMb + " MB");
      assertThat(growthMb).isLessThan(64);
    }
  }

  private static long residentKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("/proc/self/status has no VmRSS line");
  }
}
