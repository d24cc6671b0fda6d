package org.loradist.train;

import java.io.Serializable;

/** A classification example: features and a class. */
record Labeled(String id, float[] features, int label) implements Serializable, Identified {
}
