package org.loradist.train;

import java.io.Serializable;

/** A retrieval example: a query vector and its positive passage vector. */
record Pair(String id, float[] query, float[] passage) implements Serializable, Identified {
}
