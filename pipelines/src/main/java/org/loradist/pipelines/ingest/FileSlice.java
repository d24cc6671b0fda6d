package org.loradist.pipelines.ingest;

import java.io.Serializable;

/**
 * What one read task reads: a whole file ({@code stripes} = 1), or stripe {@code stripe} of a jsonl file read by
 * {@code stripes} tasks, each parsing every stripes-th line. Stripes let one large file use every core from the
 * first step, instead of being parsed by one task and shuffled out.
 */
record FileSlice(String path, int stripe, int stripes) implements Serializable {}
