package org.loradist.train.lora;

import java.io.Serializable;
import org.loradist.train.Identified;

/**
 * A causal-LM (instruction) example: the model reads {@code prompt} and learns to continue it with {@code response}
 * and end of text; only the response's tokens (and EOS) are in the loss. Any template (Alpaca's "### Instruction:"
 * and so on) is already applied to {@code prompt}; a blank prompt means plain language modelling from BOS.
 */
public record PromptResponse(String id, String prompt, String response) implements Serializable, Identified {
  public PromptResponse {
    if (prompt == null || response == null) {
      throw new IllegalArgumentException("example " + id + " lacks its prompt or response");
    }
  }
}
