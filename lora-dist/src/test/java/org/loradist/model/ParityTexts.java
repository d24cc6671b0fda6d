package org.loradist.model;

import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The parity fixture: real package descriptions of all lengths (some far past 256 tokens), non-ASCII, near-empty. */
final class ParityTexts {
  private ParityTexts() {}

  static List<String> load() {
    List<String> texts = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        ParityTexts.class.getResourceAsStream("/parity-texts.jsonl"), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        texts.add(JsonParser.parseString(line).getAsJsonObject().get("text").getAsString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return texts;
  }
}
