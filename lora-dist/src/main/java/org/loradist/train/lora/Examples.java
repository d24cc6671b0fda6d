package org.loradist.train.lora;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Training examples read from a DataFrame, with the rows that could not be used and why. Rows travel to the driver
 * (the trainer broadcasts examples once per run), so this is for training-set sizes, not corpora.
 *
 * @param labels class names in index order (sorted), for classification; empty for retrieval
 */
public record Examples<E>(List<E> examples, List<String> labels, List<Reject> rejects) {

  /** {@code textField} → text, {@code labelField} (any type, by its string form) → label; {@code idField} optional. */
  public static Examples<LabeledText> classification(Dataset<Row> data, String idField, String textField,
      String labelField) {
    StructType schema = data.schema();
    requireField(schema, textField, "text");
    requireField(schema, labelField, "label");
    boolean hasId = idField != null && List.of(schema.fieldNames()).contains(idField);
    List<Row> rows = data.collectAsList();
    TreeSet<String> names = new TreeSet<>();
    List<Reject> rejects = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Object label = rows.get(i).getAs(labelField);
      if (label != null && !label.toString().isBlank()) {
        names.add(label.toString());
      }
    }
    Map<String, Integer> index = new LinkedHashMap<>();
    for (String n : names) {
      index.put(n, index.size());
    }
    List<LabeledText> out = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      String id = hasId && r.getAs(idField) != null ? r.getAs(idField).toString() : "row-" + i;
      Object text = r.getAs(textField);
      Object label = r.getAs(labelField);
      if (text == null || text.toString().isBlank()) {
        rejects.add(new Reject(i, id, "field '" + textField + "' is null or blank"));
      } else if (label == null || label.toString().isBlank()) {
        rejects.add(new Reject(i, id, "field '" + labelField + "' is null or blank"));
      } else {
        out.add(new LabeledText(id, text.toString(), index.get(label.toString())));
      }
    }
    return new Examples<>(out, List.copyOf(names), rejects);
  }

  /** {@code queryField} and {@code passageField} → a pair; {@code idField} optional. */
  public static Examples<TextPair> retrieval(Dataset<Row> data, String idField, String queryField,
      String passageField) {
    StructType schema = data.schema();
    requireField(schema, queryField, "query");
    requireField(schema, passageField, "passage");
    boolean hasId = idField != null && List.of(schema.fieldNames()).contains(idField);
    List<Row> rows = data.collectAsList();
    List<TextPair> out = new ArrayList<>();
    List<Reject> rejects = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      String id = hasId && r.getAs(idField) != null ? r.getAs(idField).toString() : "row-" + i;
      Object q = r.getAs(queryField);
      Object p = r.getAs(passageField);
      if (q == null || q.toString().isBlank()) {
        rejects.add(new Reject(i, id, "field '" + queryField + "' is null or blank"));
      } else if (p == null || p.toString().isBlank()) {
        rejects.add(new Reject(i, id, "field '" + passageField + "' is null or blank"));
      } else {
        out.add(new TextPair(id, q.toString(), p.toString()));
      }
    }
    return new Examples<>(out, List.of(), rejects);
  }

  /**
   * {@code promptField} and {@code responseField} → a causal-LM example (the prompt used as it is: apply a template
   * before); {@code idField} optional. A blank response is a reject; a blank prompt is allowed (plain LM from BOS).
   */
  public static Examples<PromptResponse> causalLm(Dataset<Row> data, String idField, String promptField,
      String responseField) {
    StructType schema = data.schema();
    requireField(schema, promptField, "prompt");
    requireField(schema, responseField, "response");
    boolean hasId = idField != null && List.of(schema.fieldNames()).contains(idField);
    List<Row> rows = data.collectAsList();
    List<PromptResponse> out = new ArrayList<>();
    List<Reject> rejects = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      String id = hasId && r.getAs(idField) != null ? r.getAs(idField).toString() : "row-" + i;
      Object p = r.getAs(promptField);
      Object resp = r.getAs(responseField);
      if (p == null) {
        rejects.add(new Reject(i, id, "field '" + promptField + "' is null"));
      } else if (resp == null || resp.toString().isBlank()) {
        rejects.add(new Reject(i, id, "field '" + responseField + "' is null or blank"));
      } else {
        out.add(new PromptResponse(id, p.toString(), resp.toString()));
      }
    }
    return new Examples<>(out, List.of(), rejects);
  }

  private static void requireField(StructType schema, String field, String role) {
    if (field == null || !List.of(schema.fieldNames()).contains(field)) {
      throw new IllegalArgumentException("the " + role + " field '" + field + "' is not a column; columns are "
          + List.of(schema.fieldNames()));
    }
  }
}
