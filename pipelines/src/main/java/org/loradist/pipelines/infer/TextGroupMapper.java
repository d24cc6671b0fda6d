package org.loradist.pipelines.infer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Maps one partition through a model group by group, so a large partition never sits in memory whole: each row
 * comes out with the values computed from its text appended. A null or blank text is never shown to the model; its
 * row gets nulls.
 */
public final class TextGroupMapper implements Iterator<Row> {
  /** What the model computes for a group of non-blank texts: the values to append, one array per text. */
  @FunctionalInterface
  public interface GroupComputation {
    Object[][] appendedValues(List<String> texts);
  }

  private final Iterator<Row> rows;
  private final int textIndex;
  private final int groupRows;
  private final int appendedWidth;
  private final GroupComputation computation;
  private List<Row> group = List.of();
  private Object[][] appended;
  private int next;

  /**
   * @param textIndex     the text column's index in {@code rows}
   * @param groupRows     rows handed to the model at once
   * @param appendedWidth how many values each row gets (the nulls of a blank text)
   */
  public TextGroupMapper(Iterator<Row> rows, int textIndex, int groupRows, int appendedWidth,
      GroupComputation computation) {
    this.rows = rows;
    this.textIndex = textIndex;
    this.groupRows = groupRows;
    this.appendedWidth = appendedWidth;
    this.computation = computation;
  }

  @Override
  public boolean hasNext() {
    if (next < group.size()) {
      return true;
    }
    if (!rows.hasNext()) {
      return false;
    }
    List<Row> batch = new ArrayList<>(groupRows);
    while (rows.hasNext() && batch.size() < groupRows) {
      batch.add(rows.next());
    }
    List<String> texts = new ArrayList<>();
    for (Row r : batch) {
      String t = text(r);
      if (t != null) {
        texts.add(t);
      }
    }
    Object[][] computed = texts.isEmpty() ? new Object[0][] : computation.appendedValues(texts);
    appended = new Object[batch.size()][];
    for (int i = 0, j = 0; i < batch.size(); i++) {
      appended[i] = text(batch.get(i)) == null ? new Object[appendedWidth] : computed[j++];
    }
    group = batch;
    next = 0;
    return true;
  }

  private String text(Row r) {
    String t = r.isNullAt(textIndex) ? null : r.getString(textIndex);
    return t == null || t.isBlank() ? null : t;
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Row r = group.get(next);
    Object[] extra = appended[next++];
    Object[] values = new Object[r.length() + extra.length];
    for (int i = 0; i < r.length(); i++) {
      values[i] = r.get(i);
    }
    System.arraycopy(extra, 0, values, r.length(), extra.length);
    return RowFactory.create(values);
  }

  /** One appended value per text: its vector, as Spark's {@code array<float>} value. */
  public static Object[][] vectorValues(float[][] vectors) {
    Object[][] values = new Object[vectors.length][];
    for (int i = 0; i < vectors.length; i++) {
      values[i] = new Object[] {boxed(vectors[i])};
    }
    return values;
  }

  /** A vector as Spark's {@code array<float>} value. */
  public static Float[] boxed(float[] v) {
    Float[] b = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = v[i];
    }
    return b;
  }
}
