package org.loradist.pipelines.retrieve;

/** Input the retriever refuses (a folder, a model mismatch, a query): the message is the one line a user reads. */
public final class RetrievalException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RetrievalException(String message) {
    super(message);
  }
}
