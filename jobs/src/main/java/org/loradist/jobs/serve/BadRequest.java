package org.loradist.jobs.serve;

/** A request the server answers with a 4xx status and this message as {@code {"error": ...}}. */
final class BadRequest extends Exception {
  private static final long serialVersionUID = 1L;
  final int status;

  BadRequest(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }
}
