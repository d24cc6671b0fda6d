package org.loradist.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.loradist.text.TokenizedText;

/** A padded batch of token ids: three int64 arrays of shape [batch, tokens]. */
public record EncoderInput(NDArray inputIds, NDArray tokenTypeIds, NDArray attentionMask) {

  public int batchSize() {
    return Math.toIntExact(inputIds.getShape().get(0));
  }

  public int tokens() {
    return Math.toIntExact(inputIds.getShape().get(1));
  }

  /** Rows {@code [from, to)}, first {@code width} tokens, as views of these arrays. */
  public EncoderInput rows(int from, int to, int width) {
    if (from < 0 || to > batchSize() || from >= to || width < 1 || width > tokens()) {
      throw new IllegalArgumentException("rows [" + from + ", " + to + "), width " + width + " of a batch of "
          + batchSize() + " x " + tokens());
    }
    NDIndex range = new NDIndex("{}:{}, :{}", from, to, width);
    return new EncoderInput(inputIds.get(range), tokenTypeIds.get(range), attentionMask.get(range));
  }

  /** Pads {@code texts} to the longest of them (dynamic padding), in {@code manager}. */
  public static EncoderInput of(NDManager manager, List<TokenizedText> texts) {
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("an encoder batch needs at least one text");
    }
    int width = 0;
    for (TokenizedText t : texts) {
      width = Math.max(width, t.length());
    }
    if (width == 0) {
      throw new IllegalArgumentException("every text in the batch has zero tokens");
    }
    int b = texts.size();
    long[] ids = new long[b * width];
    long[] types = new long[b * width];
    long[] mask = new long[b * width];
    for (int i = 0; i < b; i++) {
      TokenizedText t = texts.get(i);
      System.arraycopy(t.ids(), 0, ids, i * width, t.length());
      System.arraycopy(t.typeIds(), 0, types, i * width, t.length());
      System.arraycopy(t.attentionMask(), 0, mask, i * width, t.length());
    }
    Shape shape = new Shape(b, width);
    return new EncoderInput(manager.create(ids, shape), manager.create(types, shape), manager.create(mask, shape));
  }
}
