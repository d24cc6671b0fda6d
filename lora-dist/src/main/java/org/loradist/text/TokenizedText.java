package org.loradist.text;

/**
 * One text after tokenization. {@code starts}/{@code ends} are UTF-16 offsets (Java string indices) into the
 * input text, end-exclusive; special tokens ([CLS], [SEP]) have start == end == 0.
 */
public record TokenizedText(long[] ids, long[] typeIds, long[] attentionMask, int[] starts, int[] ends,
                            boolean[] special, boolean truncated) {
  public int length() {
    return ids.length;
  }
}
