package org.loradist.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {
  @Test
  void committedReferenceMatchesTheSettings() throws Exception {
    Path committed = Path.of("../docs/configuration.md");
    assertThat(committed).exists();
    assertThat(Files.readString(committed))
        .as("docs/configuration.md is stale: regenerate it with ConfigReference (see the README, section The command line)")
        .isEqualTo(ConfigReference.markdown());
  }

  @Test
  void everySettingIsDocumentedWithADefault() {
    for (Setting s : Settings.ALL) {
      assertThat(s.doc()).as(s.key()).isNotBlank();
      assertThat(s.defaultValue()).as(s.key()).isNotNull();
    }
  }
}
