package org.loradist.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.LongBuffer;
import java.util.Map;
import org.loradist.text.TokenizedText;

/** ONNX Runtime on the default model's graph: the reference our encoder must agree with. One text per run, no padding. */
final class OrtReference implements AutoCloseable {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;

  OrtReference() throws IOException, OrtException {
    byte[] model;
    try (InputStream in = DefaultModel.open(DefaultModel.ONNX_RESOURCE)) {
      model = in.readAllBytes();
    }
    OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
    opts.setIntraOpNumThreads(2);
    session = env.createSession(model, opts);
  }

  /** Mean-pooled over the mask and L2-normalised, in double precision, like sentence-transformers. */
  float[] embed(TokenizedText t) throws OrtException {
    long[] shape = {1, t.length()};
    try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(t.ids()), shape);
         OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(t.attentionMask()), shape);
         OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(t.typeIds()), shape);
         OrtSession.Result r = session.run(Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
      float[][][] hidden = (float[][][]) r.get(0).getValue();
      int dim = hidden[0][0].length;
      double[] sum = new double[dim];
      double count = 0;
      for (int i = 0; i < t.length(); i++) {
        if (t.attentionMask()[i] != 0) {
          count++;
          for (int d = 0; d < dim; d++) {
            sum[d] += hidden[0][i][d];
          }
        }
      }
      double norm = 0;
      for (int d = 0; d < dim; d++) {
        sum[d] /= Math.max(count, 1e-9);
        norm += sum[d] * sum[d];
      }
      norm = Math.max(Math.sqrt(norm), 1e-12);
      float[] out = new float[dim];
      for (int d = 0; d < dim; d++) {
        out[d] = (float) (sum[d] / norm);
      }
      return out;
    }
  }

  String firstOutputName() throws OrtException {
    return session.getOutputNames().iterator().next();
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
