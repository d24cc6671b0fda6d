package org.loradist.pipelines.clean;

import java.util.Locale;

/** Kinds of personal data the redactor finds; each is replaced by its typed placeholder. */
public enum PiiType {
  EMAIL, PHONE, IPV4, IPV6, CARD, IBAN;

  private final String placeholder = "[" + name() + "]";
  private final String key = name().toLowerCase(Locale.ROOT);

  /** The text put in place of a match, e.g. {@code [EMAIL]}. */
  public String placeholder() {
    return placeholder;
  }

  /** The key used in count maps and the manifest, e.g. {@code email}. */
  public String key() {
    return key;
  }

  /** Inverse of {@link #key()}; a clear error names the bad key and the allowed ones. */
  public static PiiType fromKey(String key) {
    for (PiiType type : values()) {
      if (type.key().equals(key)) {
        return type;
      }
    }
    throw new IllegalArgumentException("unknown PII type '" + key + "'; allowed: email, phone, ipv4, ipv6, card, iban");
  }
}
