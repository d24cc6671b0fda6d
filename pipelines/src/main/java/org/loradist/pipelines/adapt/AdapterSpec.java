package org.loradist.pipelines.adapt;

import java.io.Serializable;

/**
 * Which adapted model an executor needs: base model path ("default" or a directory), adapter directory (null: the
 * base model alone), truncation, and whether the adapter is folded into the weights or kept as a live LoRA branch.
 */
public record AdapterSpec(String modelPath, String adapterDir, int maxTokens, boolean merge) implements Serializable {}
