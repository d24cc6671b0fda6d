package org.loradist.train;

import java.io.Serializable;

/**
 * Serialisable recipe for a {@link Replica}, shipped to every executor. Replicas are cached per JVM under
 * {@link #id()} by the {@link ReplicaPool}, so the frozen base weights load once per executor JVM, not per step.
 */
public interface ReplicaFactory<E extends Serializable> extends Serializable {

  /** Cache key: two factories with the same id must build interchangeable replicas (same model, same adapters). */
  String id();

  /** Builds a replica (loads or shares the frozen weights). Called once per concurrently running task per JVM. */
  Replica<E> create();
}
