package org.dicomlb.cli.admin;

import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The status page served at {@code /} on the admin listener: one self-contained HTML file (its
 * CSS and script inline, nothing fetched from elsewhere, so it works on a network without
 * internet access) that reads {@code /api/v1/status} and {@code /api/v1/connections} from its own
 * origin every two seconds. The page holds no data and changes nothing, so it is served without
 * the API's guards; the data it shows comes through them (token, Host, Origin).
 *
 * <p>A Content-Security-Policy allows exactly the page's own inline script and style (by hash)
 * and requests to its own origin, so even a string a modality sent (an AE title shown on the
 * page) could not run as script should the page ever mishandle it.
 */
final class StatusPage {
    private static final String RESOURCE = "status.html";
    private static final Pattern SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);
    private static final Pattern STYLE = Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL);

    private final byte[] html;
    private final String policy;

    private StatusPage(byte[] html, String policy) {
        this.html = html;
        this.policy = policy;
    }

    static StatusPage load() {
        try (InputStream in = StatusPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("status page resource " + RESOURCE + " is missing from the build");
            }
            byte[] bytes = in.readAllBytes();
            String text = new String(bytes, StandardCharsets.UTF_8);
            String policy = "default-src 'none'; script-src " + hashes(SCRIPT, text) + "; style-src " + hashes(STYLE, text)
                    + "; connect-src 'self'; img-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";
            return new StatusPage(bytes, policy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] html() {
        return html;
    }

    String policy() {
        return policy;
    }

    void securityHeaders(HttpHeaders h) {
        h.set("Content-Security-Policy", policy);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Referrer-Policy", "no-referrer");
    }

    private static String hashes(Pattern block, String text) {
        List<String> out = new ArrayList<>();
        Matcher m = block.matcher(text);
        while (m.find()) {
            out.add("'sha256-" + Base64.getEncoder().encodeToString(sha256(m.group(1))) + "'");
        }
        return out.isEmpty() ? "'none'" : String.join(" ", out);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
