/** Benchmarks: each prints one JSON line per figure and measures its peer in the same run. Not part of the tests. */
package org.loradist.bench;
