package org.loradist.train;

import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-JVM cache of replicas keyed by {@link ReplicaFactory#id()}. A task borrows one for the length of a segment
 * and returns it, so replicas (and their frozen weights) outlive steps, segments and stage retries. Concurrent
 * tasks in one JVM (local mode, multi-core executors) each get their own instance because replicas are not
 * thread-safe.
 */
public final class ReplicaPool {
  private static final Map<String, ConcurrentLinkedDeque<Replica<?>>> IDLE = new ConcurrentHashMap<>();
  private static final Map<String, AtomicInteger> CREATED = new ConcurrentHashMap<>();

  private ReplicaPool() {
  }

  @SuppressWarnings("unchecked")
  public static <E extends Serializable> Replica<E> borrow(ReplicaFactory<E> factory) {
    Replica<?> idle = IDLE.computeIfAbsent(factory.id(), k -> new ConcurrentLinkedDeque<>()).pollFirst();
    if (idle != null) {
      return (Replica<E>) idle;
    }
    Replica<E> created = factory.create();
    CREATED.computeIfAbsent(factory.id(), k -> new AtomicInteger()).incrementAndGet();
    return created;
  }

  public static void release(ReplicaFactory<?> factory, Replica<?> replica) {
    IDLE.computeIfAbsent(factory.id(), k -> new ConcurrentLinkedDeque<>()).addFirst(replica);
  }

  /** How many replicas this JVM has built for the id (to check that weights load once, not per step). */
  public static int created(String id) {
    AtomicInteger n = CREATED.get(id);
    return n == null ? 0 : n.get();
  }

  /** Closes and forgets this JVM's idle replicas for the id (e.g. when a run is over and memory is wanted back). */
  public static void evict(String id) {
    ConcurrentLinkedDeque<Replica<?>> idle = IDLE.remove(id);
    if (idle != null) {
      for (Replica<?> r : idle) {
        try {
          r.close();
        } catch (Exception e) {
          // closing is best effort; the replica is dropped either way
        }
      }
    }
  }
}
