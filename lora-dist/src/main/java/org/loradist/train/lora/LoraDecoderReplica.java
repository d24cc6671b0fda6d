package org.loradist.train.lora;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import org.loradist.lora.ExampleDropout;
import org.loradist.lora.LoraAdapters;
import org.loradist.lora.LoraInjector;
import org.loradist.model.ForwardContext;
import org.loradist.model.Gpt2Model;
import org.loradist.model.PretrainedDecoder;
import org.loradist.text.TextTokenizer;
import org.loradist.train.DataOrder;
import org.loradist.train.Replica;
import org.loradist.weights.ModelCache;

/**
 * What the decoder LoRA objectives share: the frozen GPT-2 from the per-JVM {@link ModelCache}, a model of this
 * replica's own with adapters injected, the tokenizer, and forward contexts whose adapter dropout is drawn per
 * example (so any worker count gives the same masks).
 */
abstract class LoraDecoderReplica<E extends Serializable> implements Replica<E> {
  protected final DecoderLoraSpec spec;
  protected final PretrainedDecoder pretrained;
  protected final Gpt2Model model;
  protected final LoraAdapters adapters;
  protected final TextTokenizer tokenizer;
  protected final NDManager manager;
  protected float[][] values;

  LoraDecoderReplica(DecoderLoraSpec spec) {
    this.spec = spec;
    try {
      this.pretrained = ModelCache.getDecoder(spec.modelPath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.model = pretrained.newModel();
    this.adapters = LoraInjector.inject(model, spec.lora());
    this.tokenizer = pretrained.newTokenizer(Math.min(spec.maxTokens(), pretrained.config().nPositions()));
    this.manager = NDManager.newBaseManager();
  }

  protected int maxTokens() {
    return Math.min(spec.maxTokens(), pretrained.config().nPositions());
  }

  @Override
  public void setTrainable(float[][] v) {
    float[][] copy = new float[v.length][];
    for (int i = 0; i < v.length; i++) {
      copy[i] = v[i].clone();
    }
    values = copy;
  }

  protected float[][] values() {
    if (values == null) {
      throw new IllegalStateException("setTrainable was never called");
    }
    return values;
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

  @Override
  public void close() {
    manager.close();
    tokenizer.close();
  }
}
