package org.loradist.jobs.config;

/** A configuration or command-line error: its message is the one line the user sees. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
