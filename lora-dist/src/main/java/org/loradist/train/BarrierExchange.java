package org.loradist.train;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.TaskKilledException;

/**
 * {@code BarrierTaskContext.allGather} without its one-second poll.
 *
 * <p>Why: Spark 3.5's {@code BarrierTaskContext.runBarrier} sends the request and then loops
 * {@code while (!future.isCompleted) Thread.sleep(1000)}, so every allGather returns on a one-second tick even
 * when the last worker's message arrived a millisecond later (seen here: exactly one step per second with a tiny
 * model). The loop swallows {@code InterruptedException} and re-checks the future, so a per-JVM waker thread that
 * interrupts threads sleeping inside allGather every {@link #POLL_MICROS} µs turns the tick into a sub-millisecond
 * poll. Only registered threads that are in {@code TIMED_WAITING} (the sleep) are interrupted, registration ends
 * under the waker's lock before the interrupt flag is cleared, and a real Spark kill is re-checked afterwards
 * through {@link BarrierTaskContext#isInterrupted()}, so task-kill semantics are unchanged.
 */
final class BarrierExchange implements Exchange {
  static final long POLL_MICROS = 500;
  /** Diagnostics only (TrainerOverheadBench): -Dloradist.barrier.sparkPoll=true uses Spark's one-second poll. */
  static final String SPARK_POLL_PROPERTY = "loradist.barrier.sparkPoll";

  private final boolean sparkPoll = Boolean.getBoolean(SPARK_POLL_PROPERTY);

  private final BarrierTaskContext ctx;

  BarrierExchange(BarrierTaskContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public String[] allGather(String message) {
    if (sparkPoll) {
      return ctx.allGather(message);
    }
    Thread self = Thread.currentThread();
    Waker.INSTANCE.register(self);
    String[] gathered;
    try {
      gathered = ctx.allGather(message);
    } finally {
      Waker.INSTANCE.unregister(self);
      Thread.interrupted(); // drop a wake-up that landed after the future completed
    }
    if (ctx.isInterrupted()) {
      throw new TaskKilledException("task killed during allGather");
    }
    return gathered;
  }

  /** One daemon thread per JVM, idle (waiting) unless some task is inside allGather. */
  private static final class Waker implements Runnable {
    static final Waker INSTANCE = new Waker();
    private final Set<Thread> waiting = new HashSet<>();

    private Waker() {
      Thread t = new Thread(this, "lora-dist-barrier-waker");
      t.setDaemon(true);
      t.start();
    }

    synchronized void register(Thread t) {
      waiting.add(t);
      notifyAll();
    }

    synchronized void unregister(Thread t) {
      waiting.remove(t);
    }

    @Override
    public void run() {
      while (true) {
        synchronized (this) {
          while (waiting.isEmpty()) {
            try {
              wait();
            } catch (InterruptedException e) {
              return;
            }
          }
          for (Thread t : waiting) {
            if (t.getState() == Thread.State.TIMED_WAITING) {
              t.interrupt();
            }
          }
        }
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(POLL_MICROS));
      }
    }
  }
}
