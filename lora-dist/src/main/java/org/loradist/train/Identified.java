package org.loradist.train;

/** Optional for example types: an id the trainer uses when it names examples (e.g. the batch of a NaN loss). */
public interface Identified {
  String id();
}
