package org.loradist.train.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.loradist.lora.ExampleDropout;
import org.loradist.lora.LoraInjector;
import org.loradist.model.BertEncoder;
import org.loradist.model.EncoderInput;
import org.loradist.model.ForwardContext;
import org.loradist.model.PretrainedModel;
import org.loradist.text.TokenizedText;
import org.loradist.train.DataOrder;
import org.loradist.weights.ModelCache;

/**
 * What the encoder LoRA objectives share: the frozen base from the per-JVM {@link ModelCache}, an encoder of this
 * replica's own with adapters injected ({@link LoraReplica}), and forward passes whose dropout is drawn per example.
 */
abstract class LoraEncoderReplica<E extends Serializable> extends LoraReplica<E> {
  protected final EncoderLoraSpec spec;
  protected final PretrainedModel model;
  protected final BertEncoder encoder;

  LoraEncoderReplica(EncoderLoraSpec spec) {
    this(spec, cached(() -> ModelCache.get(spec.modelPath())));
  }

  private LoraEncoderReplica(EncoderLoraSpec spec, PretrainedModel model) {
    this(spec, model, model.newEncoder());
  }

  private LoraEncoderReplica(EncoderLoraSpec spec, PretrainedModel model, BertEncoder encoder) {
    super(LoraInjector.inject(encoder, spec.lora()),
        model.newTokenizer(Math.min(spec.maxTokens(), model.config().maxPositionEmbeddings())));
    this.spec = spec;
    this.model = model;
    this.encoder = encoder;
  }

  protected List<TokenizedText> tokenize(List<String> texts) {
    List<TokenizedText> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(tokenizer.encode(t));
    }
    return out;
  }

  protected static long tokenCount(List<TokenizedText> texts) {
    long n = 0;
    for (TokenizedText t : texts) {
      n += t.length();
    }
    return n;
  }

  /**
   * Mean-pooled (not normalised) token states, float32 [n, hidden], in {@code m}. With {@code training} the adapters'
   * dropout uses {@code seeds} (one per text) and, when the spec asks, the base's dropout runs too.
   */
  protected NDArray pooled(NDManager m, List<TokenizedText> texts, long[] seeds, boolean training) {
    EncoderInput input = EncoderInput.of(m, texts);
    ForwardContext ctx = ForwardContext.inference();
    if (training) {
      int[] lengths = new int[texts.size()];
      for (int i = 0; i < lengths.length; i++) {
        lengths[i] = texts.get(i).length();
      }
      adapters.setExampleDropout(new ExampleDropout(seeds, lengths));
      if (spec.baseDropout()) {
        ctx = ForwardContext.training(DataOrder.mix(seeds.length == 0 ? 0 : seeds[0], texts.size()));
      }
    }
    try {
      return encoder.pool(encoder.hiddenStates(input, ctx), input.attentionMask());
    } finally {
      adapters.setExampleDropout(null);
    }
  }

  /** Same-shaped forward with every adapter switched off: the base model's output. */
  protected NDArray basePooled(NDManager m, List<TokenizedText> texts) {
    adapters.setEnabled(false);
    try {
      return pooled(m, texts, new long[texts.size()], false);
    } finally {
      adapters.setEnabled(true);
    }
  }
}
