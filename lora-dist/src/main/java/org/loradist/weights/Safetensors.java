package org.loradist.weights;

import java.util.Map;

/** The contents of a .safetensors file: tensors in file order, and the free-form {@code __metadata__} strings. */
public record Safetensors(Map<String, HostTensor> tensors, Map<String, String> metadata) {}
