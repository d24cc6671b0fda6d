package org.loradist.train.lora;

import java.io.Serializable;
import org.loradist.train.Identified;

/** A retrieval example: a query and the passage that answers it (the other passages of the batch are negatives). */
public record TextPair(String id, String query, String passage) implements Serializable, Identified {
  public TextPair {
    if (query == null || passage == null) {
      throw new IllegalArgumentException("pair " + id + " lacks its query or passage");
    }
  }
}
