package org.loradist.pipelines.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What {@link Deduplicator#run} returns. Every input document is in exactly one of the two.
 *
 * @param kept       the input rows (all input columns) that survive
 * @param duplicates one row per removed document, schema {@code Schemas.DUPLICATES}; {@code duplicate_of} is
 *                   always a doc_id in {@code kept}
 */
public record DedupResult(Dataset<Row> kept, Dataset<Row> duplicates) {}
