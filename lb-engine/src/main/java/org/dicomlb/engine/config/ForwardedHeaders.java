package org.dicomlb.engine.config;

import java.net.InetAddress;
import java.util.List;
import org.dicomlb.config.Cidr;

/**
 * The forwarded headers an http listener adds to each request, and whose incoming ones it keeps.
 * From a client in {@code trusted} (a proxy in front of dicomlb) incoming {@code X-Forwarded-*}
 * and {@code Forwarded} fields are kept and dicomlb's entry is appended; from any other client
 * they are removed first, so a backend can believe what it reads (docs/http.md).
 *
 * @param xForwarded add {@code X-Forwarded-For}, {@code -Proto} and {@code -Host}
 * @param forwarded  add {@code Forwarded} (RFC 7239)
 */
public record ForwardedHeaders(List<Cidr> trusted, boolean xForwarded, boolean forwarded) {
    public static final ForwardedHeaders DEFAULTS = new ForwardedHeaders(List.of(), true, true);

    public ForwardedHeaders {
        trusted = List.copyOf(trusted);
    }

    public boolean trusts(InetAddress client) {
        for (Cidr c : trusted) {
            if (c.contains(client)) {
                return true;
            }
        }
        return false;
    }
}
