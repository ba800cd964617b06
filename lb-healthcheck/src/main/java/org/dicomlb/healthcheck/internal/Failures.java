package org.dicomlb.healthcheck.internal;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.dicomlb.healthcheck.CheckResult;
import org.dicomlb.io.SystemErrors;

/** Turns what went wrong in a probe into the short human reason the status page shows. */
public final class Failures {
    private static final int MAX_TEXT = 160;

    private Failures() {
    }

    public static CheckResult result(Throwable cause, Duration timeout) {
        Throwable t = unwrap(cause);
        if (SystemErrors.outOfDescriptors(t)) {
            return CheckResult.localError("not probed: dicomlb is out of file descriptors");
        }
        if (t instanceof ConnectTimeoutException) {
            return CheckResult.timeout(timeout);
        }
        return CheckResult.failure(describe(t));
    }

    public static String describe(Throwable cause) {
        Throwable t = unwrap(cause);
        String message = t.getMessage() == null ? "" : t.getMessage();
        String lower = message.toLowerCase(Locale.ROOT);
        if (t instanceof ConnectTimeoutException) {
            return "connect timeout";
        }
        if (t instanceof ConnectException || lower.contains("connection refused")) {
            return lower.contains("refused") ? "connect refused" : "connect failed: " + shorten(message);
        }
        if (t instanceof NoRouteToHostException || lower.contains("no route to host")) {
            return "no route to host";
        }
        if (t instanceof SSLException) {
            return "TLS handshake failed: " + shorten(rootMessage(t));
        }
        if (t instanceof ClosedChannelException) {
            return "connection closed";
        }
        if (t instanceof IOException && lower.contains("reset")) {
            return "connection reset";
        }
        return shorten(t.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message));
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof DecoderException || cur instanceof java.util.concurrent.CompletionException)
                && cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur;
    }

    private static String rootMessage(Throwable t) {
        Throwable cur = t;
        while (cur.getCause() != null && cur.getCause() != cur) {
            cur = cur.getCause();
        }
        return cur.getMessage() == null ? cur.getClass().getSimpleName() : cur.getMessage();
    }

    private static String shorten(String s) {
        String oneLine = s.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= MAX_TEXT ? oneLine : oneLine.substring(0, MAX_TEXT - 3) + "...";
    }
}
