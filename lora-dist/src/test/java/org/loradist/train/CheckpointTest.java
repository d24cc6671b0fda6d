package org.loradist.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  private static final Configuration CONF = new Configuration();

  private static TrainState state(long step, float base) {
    List<TensorSpec> specs = List.of(new TensorSpec("a.lora_A.weight", new int[] {2, 3}),
        new TensorSpec("head.bias", new int[] {4}));
    TrainState s = TrainState.initial(specs, new float[][] {{base, 1, 2, 3, 4, 5}, {-1, -2, -3, Float.MIN_VALUE}}, 9);
    for (int i = 0; i < step; i++) {
      s.firstMoments()[0][i % 6] += 0.5f;
      s.secondMoments()[1][i % 4] += 0.25f;
      s.advance(16);
    }
    return s;
  }

  @Test
  void roundTripsEveryBitAndTheSettings(@TempDir Path dir) throws IOException {
    TrainState s = state(3, 0.125f);
    String path = Checkpoint.write(dir.toString(), s, Map.of("seed", "9"), 0, CONF);
    assertThat(path).endsWith("step-000000003.ckpt");
    Checkpoint.Loaded back = Checkpoint.read(path, CONF);
    assertThat(back.state().fingerprint()).isEqualTo(s.fingerprint());
    assertThat(back.state().specs()).isEqualTo(s.specs());
    assertThat(back.state().examplesSeen()).isEqualTo(48);
    assertThat(back.state().seed()).isEqualTo(9);
    assertThat(back.settings()).containsEntry("seed", "9");
    assertThat(back.state().tensor("head.bias")).containsExactly(-1, -2, -3, Float.MIN_VALUE);
  }

  @Test
  void keepsTheNewestAndFindsTheLatest(@TempDir Path dir) throws IOException {
    for (long step : new long[] {5, 10, 15}) {
      Checkpoint.write(dir.toString(), state(step, step), Map.of(), 2, CONF);
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ckpt")).sorted())
          .containsExactly("step-000000010.ckpt", "step-000000015.ckpt");
    }
    assertThat(Checkpoint.latest(dir.toString(), CONF)).endsWith("step-000000015.ckpt");
    assertThat(Checkpoint.read(dir.toString(), CONF).state().step()).isEqualTo(15);
    assertThat(Checkpoint.latest(dir.resolve("missing").toString(), CONF)).isNull();
  }

  @Test
  void damagedOrTruncatedFilesAreRefusedWithThePath(@TempDir Path dir) throws IOException {
    String path = Checkpoint.write(dir.toString(), state(2, 1f), Map.of(), 0, CONF);
    Path file = Path.of(java.net.URI.create(path).getPath());
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc")); // Hadoop's own checksum file
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(raf.length() - 20);
      int b = raf.read();
      raf.seek(raf.length() - 20);
      raf.write(b ^ 0x40);
    }
    assertThatThrownBy(() -> Checkpoint.read(path, CONF)).isInstanceOf(IOException.class)
        .hasMessageContaining("step-000000002.ckpt").hasMessageContaining("checksum");
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(raf.length() / 2);
    }
    assertThatThrownBy(() -> Checkpoint.read(path, CONF)).isInstanceOf(IOException.class)
        .hasMessageContaining("truncated");
  }
}
