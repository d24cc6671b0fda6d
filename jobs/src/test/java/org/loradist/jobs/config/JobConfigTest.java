package org.loradist.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsThenFileThenOverrides() throws Exception {
    Path f = dir.resolve("a.conf");
    Files.writeString(f, "prep { chunk.max-tokens = 128, input = [\"x\", \"y\"] }\n");
    Map<String, String> o = new LinkedHashMap<>();
    o.put("prep.chunk.overlap-tokens", "16");
    JobConfig c = JobConfig.load(f, o);
    assertThat(c.integer(Settings.CHUNK_MAX_TOKENS)).isEqualTo(128);
    assertThat(c.integer(Settings.CHUNK_OVERLAP)).isEqualTo(16);
    assertThat(c.list(Settings.PREP_INPUT)).containsExactly("x", "y");
    assertThat(c.decimal(Settings.DEDUP_THRESHOLD)).isEqualTo(0.8);
  }

  @Test
  void commaSeparatedListFromTheCommandLine() {
    JobConfig c = JobConfig.load(null, Map.of("prep.input", "a.jsonl, hdfs://nn/b/*.html"));
    assertThat(c.list(Settings.PREP_INPUT)).containsExactly("a.jsonl", "hdfs://nn/b/*.html");
  }

  @Test
  void unknownKeyInFileIsNamedWithASuggestion() throws Exception {
    Path f = dir.resolve("bad.conf");
    Files.writeString(f, "prep.chunk.max-token = 100\n");
    assertThatThrownBy(() -> JobConfig.load(f, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown config key 'prep.chunk.max-token'")
        .hasMessageContaining("did you mean 'prep.chunk.max-tokens'");
  }

  @Test
  void invalidValuesSayWhatIsAllowed() {
    assertThatThrownBy(() -> JobConfig.load(null, Map.of("prep.chunk.max-tokens", "lots")))
        .hasMessage("invalid value for 'prep.chunk.max-tokens': \"lots\" (expected an integer in [16, 8192])");
    assertThatThrownBy(() -> JobConfig.load(null, Map.of("prep.dedup.threshold", "1.5")))
        .hasMessageContaining("'prep.dedup.threshold': \"1.5\"").hasMessageContaining("[0.01, 1]");
    assertThatThrownBy(() -> JobConfig.load(null, Map.of("prep.read.invalid-utf8", "ignore")))
        .hasMessageContaining("expected one of replace, reject");
  }

  @Test
  void missingOrBrokenFileIsNamed() throws Exception {
    assertThatThrownBy(() -> JobConfig.load(dir.resolve("none.conf"), Map.of()))
        .hasMessageContaining("config file not found").hasMessageContaining("none.conf");
    Path f = dir.resolve("broken.conf");
    Files.writeString(f, "prep { input = [\n");
    assertThatThrownBy(() -> JobConfig.load(f, Map.of())).hasMessageContaining("broken.conf");
  }
}
