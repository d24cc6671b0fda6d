package org.loradist.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;

/** Building decoder batches (right-padded, see {@link Gpt2Model}) and reading chosen positions back out of them. */
public final class DecoderBatches {
  private DecoderBatches() {
  }

  /** Right-padded int64 ids [rows, longest] in {@code m}; padding is {@code padId} (causality keeps it unseen). */
  public static NDArray paddedIds(NDManager m, List<long[]> rows, long padId) {
    int width = rows.stream().mapToInt(r -> r.length).max().orElseThrow();
    long[] flat = new long[rows.size() * width];
    Arrays.fill(flat, padId);
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, flat, i * width, rows.get(i).length);
    }
    return m.create(flat, new Shape(rows.size(), width));
  }

  /**
   * Rows of {@code hidden} [rows, width, n_embd] at the flat positions {@code row * width + t}: [n, n_embd]. A gather
   * (differentiable) rather than a boolean mask, so the order is exactly that of {@code flatPositions}.
   */
  public static NDArray rowsAt(NDArray hidden, long[] flatPositions) {
    Shape s = hidden.getShape();
    long embd = s.get(2);
    long[] index = new long[Math.toIntExact(flatPositions.length * embd)];
    for (int i = 0; i < flatPositions.length; i++) {
      Arrays.fill(index, (int) (i * embd), (int) ((i + 1) * embd), flatPositions[i]);
    }
    NDArray idx = hidden.getManager().create(index, new Shape(flatPositions.length, embd));
    return hidden.reshape(s.get(0) * s.get(1), embd).gather(idx, 0);
  }

  /** The final hidden state of each row's last real token, [rows, n_embd] (right padding: at length - 1). */
  public static NDArray lastTokenStates(Gpt2Model model, NDManager m, List<long[]> rows, ForwardContext ctx) {
    NDArray ids = paddedIds(m, rows, model.config().eosTokenId());
    int width = Math.toIntExact(ids.getShape().get(1));
    long[] last = new long[rows.size()];
    for (int i = 0; i < last.length; i++) {
      if (rows.get(i).length == 0) {
        throw new IllegalArgumentException("row " + i + " has no tokens");
      }
      last[i] = (long) i * width + rows.get(i).length - 1;
    }
    return rowsAt(model.hiddenStates(ids, null, ctx), last);
  }
}
