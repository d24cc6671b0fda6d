package org.loradist.train;

/** How the workers of one step swap messages: every worker gets every worker's message in rank order. */
interface Exchange {
  String[] allGather(String message);
}
