package org.loradist.train.lora;

import java.io.Serializable;
import java.util.List;
import org.loradist.lora.ExampleDropout;
import org.loradist.lora.LoraInjector;
import org.loradist.model.ForwardContext;
import org.loradist.model.Gpt2Model;
import org.loradist.model.PretrainedDecoder;
import org.loradist.train.DataOrder;
import org.loradist.weights.ModelCache;

/**
 * What the decoder LoRA objectives share: the frozen GPT-2 from the per-JVM {@link ModelCache}, a model of this
 * replica's own with adapters injected ({@link LoraReplica}), and forward contexts whose adapter dropout is drawn per
 * example (so any worker count gives the same masks).
 */
abstract class LoraDecoderReplica<E extends Serializable> extends LoraReplica<E> {
  protected final DecoderLoraSpec spec;
  protected final PretrainedDecoder pretrained;
  protected final Gpt2Model model;

  LoraDecoderReplica(DecoderLoraSpec spec) {
    this(spec, cached(() -> ModelCache.getDecoder(spec.modelPath())));
  }

  private LoraDecoderReplica(DecoderLoraSpec spec, PretrainedDecoder pretrained) {
    this(spec, pretrained, pretrained.newModel());
  }

  private LoraDecoderReplica(DecoderLoraSpec spec, PretrainedDecoder pretrained, Gpt2Model model) {
    super(LoraInjector.inject(model, spec.lora()),
        pretrained.newTokenizer(Math.min(spec.maxTokens(), pretrained.config().nPositions())));
    this.spec = spec;
    this.pretrained = pretrained;
    this.model = model;
  }

  protected int maxTokens() {
    return Math.min(spec.maxTokens(), pretrained.config().nPositions());
  }

  /**
   * Arms the adapters' per-example dropout for the next forward of {@code rows} (one seed each) and returns the
   * forward context (the base's own dropout only when the spec asks). Call {@link #disarm} after the forward.
   */
  protected ForwardContext arm(List<long[]> rows, long[] seeds) {
    int[] lengths = new int[rows.size()];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = rows.get(i).length;
    }
    adapters.setExampleDropout(new ExampleDropout(seeds, lengths));
    return spec.baseDropout()
        ? ForwardContext.training(DataOrder.mix(seeds.length == 0 ? 0 : seeds[0], rows.size()))
        : ForwardContext.inference();
  }

  protected void disarm() {
    adapters.setExampleDropout(null);
  }
}
