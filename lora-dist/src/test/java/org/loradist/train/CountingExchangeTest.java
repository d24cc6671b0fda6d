package org.loradist.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The byte and time counts of {@link CountingExchange} over a two-thread all-gather. */
class CountingExchangeTest {

  /** All-gather between {@code workers} threads of this JVM: each writes its slot, then all read all slots. */
  private static final class ThreadExchange {
    private final String[] slots;
    private final CyclicBarrier written;
    private final CyclicBarrier read;

    ThreadExchange(int workers) {
      slots = new String[workers];
      written = new CyclicBarrier(workers);
      read = new CyclicBarrier(workers);
    }

    Exchange forRank(int rank) {
      return message -> {
        try {
          slots[rank] = message;
          written.await(10, TimeUnit.SECONDS);
          String[] all = slots.clone();
          read.await(10, TimeUnit.SECONDS);
          return all;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      };
    }
  }

  @Test
  void countsOwnMessagesAsSentAndEveryWorkersMessagesAsReceived() throws Exception {
    ThreadExchange shared = new ThreadExchange(2);
    CountingExchange rank0 = new CountingExchange(shared.forRank(0));
    CountingExchange rank1 = new CountingExchange(shared.forRank(1));
    String a1 = "x".repeat(1000);
    String b1 = "y".repeat(600);
    String a2 = "zz";
    String b2 = "é€😀"; // 2 + 3 + 4 UTF-8 bytes
    CompletableFuture<String[]> other = CompletableFuture.supplyAsync(() -> {
      sleep(100); // rank 0 waits for rank 1 in its first all-gather
      rank1.allGather(b1);
      return rank1.allGather(b2);
    });
    assertThat(rank0.allGather(a1)).containsExactly(a1, b1);
    assertThat(rank0.allGather(a2)).containsExactly(a2, b2);
    assertThat(other.get(10, TimeUnit.SECONDS)).containsExactly(a2, b2);

    assertThat(rank0.bytesSent()).isEqualTo(1000 + 2);
    assertThat(rank1.bytesSent()).isEqualTo(600 + 9);
    assertThat(rank0.bytesReceived()).isEqualTo(1000 + 600 + 2 + 9);
    assertThat(rank1.bytesReceived()).isEqualTo(rank0.bytesReceived());
    assertThat(rank0.seconds()).as("time waiting inside allGather for the late worker").isGreaterThanOrEqualTo(0.09);
  }

  @Test
  void utf8LengthIsWhatTheEncoderWrites() {
    for (String s : new String[] {"", "abc+/=", "é", "€uro", "😀", "a\uD800b", "\uDC00", "mixed é € 😀 \uD83D"}) {
      assertThat(CountingExchange.utf8Length(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
