package org.loradist.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The CLI contract without Spark: exit codes, help, one-line errors, dry runs. */
class MainTest {
  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpListsCommandsAndFlags() {
    assertThat(run("--help").out()).contains("prep");
    Result r = run("prep", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("--input", "prep.input", "--dry-run");
  }

  @Test
  void unknownCommandAndFlagAreOneLineUsageErrors() {
    Result r = run("frobnicate");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).doesNotContain("\n").contains("unknown command 'frobnicate'");
    r = run("prep", "--inptu", "x");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().strip()).isEqualTo("lora-dist prep: unknown flag '--inptu' for 'prep' (see lora-dist prep --help)");
  }

  @Test
  void missingRequiredFlagAndBadValueAreNamed() {
    Result r = run("prep", "--output", "/tmp/x");
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).contains("missing --input");
    r = run("prep", "--input", "a", "--output", "b", "--max-tokens", "-4");
    assertThat(r.err().strip()).isEqualTo(
        "lora-dist prep: invalid value for 'prep.chunk.max-tokens': \"-4\" (expected an integer in [16, 8192])");
    r = run("prep", "--input", "a", "--output", "b", "--set", "prep.nonsense=1");
    assertThat(r.err()).contains("unknown config key 'prep.nonsense'");
  }

  @Test
  void dryRunValidatesWithoutRunning() {
    // without train: its validation reads the training file, which the quickstart names from the project root
    Result r = run("run", "--conf", "../conf/quickstart.conf", "--dry-run", "--stages", "prep,embed,writeback,eval");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("configuration valid");
  }
}
