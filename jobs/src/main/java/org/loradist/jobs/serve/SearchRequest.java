package org.loradist.jobs.serve;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;

/** A parsed and checked {@code POST /search} body: {"query": "...", "k": 10} (k optional). */
record SearchRequest(String query, int k) {
  static SearchRequest parse(String body, SearchLimits limits) throws BadRequest {
    JsonElement parsed;
    try {
      parsed = JsonParser.parseString(body);
    } catch (JsonParseException e) {
      throw new BadRequest(400, "request body is not valid JSON");
    }
    if (parsed == null || !parsed.isJsonObject()) {
      throw new BadRequest(400, "request body must be a JSON object like {\"query\": \"...\", \"k\": 10}");
    }
    JsonObject o = parsed.getAsJsonObject();
    for (String key : o.keySet()) {
      if (!key.equals("query") && !key.equals("k")) {
        throw new BadRequest(400, "unknown field '" + key + "' (fields: query, k)");
      }
    }
    JsonElement q = o.get("query");
    if (q == null || q.isJsonNull()) {
      throw new BadRequest(400, "missing field 'query'");
    }
    if (!q.isJsonPrimitive() || !q.getAsJsonPrimitive().isString()) {
      throw new BadRequest(400, "'query' must be a string");
    }
    String query = q.getAsString();
    if (query.isBlank()) {
      throw new BadRequest(400, "'query' is empty");
    }
    if (query.length() > limits.maxQueryChars()) {
      throw new BadRequest(400, "'query' has " + query.length() + " characters, at most " + limits.maxQueryChars()
          + " are accepted");
    }
    return new SearchRequest(query.strip(), k(o.get("k"), limits));
  }

  private static int k(JsonElement e, SearchLimits limits) throws BadRequest {
    if (e == null || e.isJsonNull()) {
      return limits.defaultK();
    }
    String range = "'k' must be an integer in [1, " + limits.maxK() + "]";
    if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isNumber()) {
      throw new BadRequest(400, range + ", got " + e);
    }
    BigDecimal v;
    try {
      v = e.getAsBigDecimal();
    } catch (NumberFormatException ex) {
      throw new BadRequest(400, range + ", got " + e);
    }
    if (v.stripTrailingZeros().scale() > 0 || v.compareTo(BigDecimal.ONE) < 0
        || v.compareTo(BigDecimal.valueOf(limits.maxK())) > 0) {
      throw new BadRequest(400, range + ", got " + v.toPlainString());
    }
    return v.intValueExact();
  }
}
