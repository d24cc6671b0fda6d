package org.loradist.train.lora;

import java.io.Serializable;

/** An input row that could not become a training example, and why. */
public record Reject(long row, String id, String reason) implements Serializable {
}
