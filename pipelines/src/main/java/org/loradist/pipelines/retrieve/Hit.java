package org.loradist.pipelines.retrieve;

/** One search result: the inner product with the query, the chunk's id, and its metadata when chunks were loaded. */
public record Hit(float score, String chunkId, ChunkInfo chunk) {}
