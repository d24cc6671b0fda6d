package org.loradist.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorFileTest {
  @TempDir
  Path dir;

  @Test
  void blocksComeBackBitForBitUnderTheirKeyOnly() throws Exception {
    float[][] corpus = {{1f, -0.5f, Float.MIN_VALUE}, {0f, 3.25f, -1e-7f}};
    float[][] queries = {{0.125f, 2f, -8f}};
    Path file = dir.resolve("v.vec");
    VectorFile.write(file, "corpus=2 model=x", List.of(corpus, queries));
    // header (magic, version, key length, key, block count), then per block rows, dimension and the floats
    assertThat(Files.size(file)).isEqualTo(4 + 4 + 4 + 16 + 4 + (8 + 2 * 3 * 4) + (8 + 3 * 4));
    List<float[][]> back = VectorFile.read(file, "corpus=2 model=x");
    assertThat(back).hasSize(2);
    assertThat(Arrays.deepEquals(back.get(0), corpus)).isTrue();
    assertThat(Arrays.deepEquals(back.get(1), queries)).isTrue();
    assertThat(Files.exists(dir.resolve("v.vec.tmp"))).isFalse();

    assertThatThrownBy(() -> VectorFile.read(file, "corpus=3 model=x"))
        .hasMessageContaining("holds [corpus=2 model=x], this run asks for [corpus=3 model=x]");
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 3));
    assertThatThrownBy(() -> VectorFile.read(file, "corpus=2 model=x")).hasMessageContaining("is truncated")
        .hasMessageContaining(file.toString());
    Files.writeString(file, "not vectors");
    assertThatThrownBy(() -> VectorFile.read(file, "corpus=2 model=x")).hasMessageContaining("no LDVF header");
  }
}
