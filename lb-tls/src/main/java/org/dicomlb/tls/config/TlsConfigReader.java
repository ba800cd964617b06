package org.dicomlb.tls.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.dicomlb.config.Section;
import org.dicomlb.tls.ClientAuth;
import org.dicomlb.tls.ClientTls;
import org.dicomlb.tls.ServerTls;
import org.dicomlb.tls.TlsFileException;

/**
 * Reads {@code tls} sections. The PEM files they name are read and checked here, so
 * {@code dicomlb validate} and every reload refuse, at the key that names it, a file that is
 * missing or unreadable, is not PEM, holds an encrypted or legacy key, a key that does not belong
 * to its certificate, or a certificate that has expired. A running listener keeps its context
 * until a reload brings a complete new one.
 */
public final class TlsConfigReader {
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

    private TlsConfigReader() {
    }

    /**
     * A listener's {@code tls}: {@code certificate}, {@code key}, and with
     * {@code clientCertificates} also {@code client-ca} and {@code client-auth};
     * {@code handshake-timeout}. Empty when absent or in error.
     */
    public static Optional<ServerTls> server(Section parent, boolean clientCertificates) {
        return parent.section("tls").flatMap(s -> server0(s, clientCertificates));
    }

    private static Optional<ServerTls> server0(Section s, boolean clientCertificates) {
        Path certificate = path(s, "certificate", true);
        Path key = path(s, "key", true);
        Optional<Path> clientCa = Optional.empty();
        ClientAuth auth = ClientAuth.NONE;
        if (clientCertificates) {
            clientCa = Optional.ofNullable(path(s, "client-ca", false));
            auth = s.choice("client-auth", ClientAuth.class, clientCa.isPresent() ? ClientAuth.REQUIRED : ClientAuth.NONE);
            if (auth != ClientAuth.NONE && clientCa.isEmpty() && s.has("client-auth")) {
                s.error("client-auth", "client-auth " + auth.name().toLowerCase(Locale.ROOT)
                        + " needs 'client-ca' (the CA bundle that issues the clients' certificates)");
            }
            if (auth == ClientAuth.NONE && clientCa.isPresent()) {
                s.error("client-ca", "'client-ca' is given but client-auth is none, so no client is asked for a certificate;"
                        + " set client-auth: required (or optional), or leave client-ca out");
            }
        }
        Duration timeout = s.duration("handshake-timeout", ServerTls.DEFAULT_HANDSHAKE_TIMEOUT, Duration.ofMillis(100),
                Duration.ofMinutes(5));
        s.finish();
        if (!s.clean()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ServerTls.load(certificate, key, clientCa, auth, timeout));
        } catch (TlsFileException e) {
            s.error(e.key(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * A pool's {@code tls}: {@code ca}, {@code verify-name}, {@code server-name},
     * {@code certificate} and {@code key}. Empty when absent or in error.
     */
    public static Optional<ClientTls> client(Section parent) {
        return parent.section("tls").flatMap(TlsConfigReader::client0);
    }

    private static Optional<ClientTls> client0(Section s) {
        Optional<Path> ca = Optional.ofNullable(path(s, "ca", false));
        boolean verifyName = s.bool("verify-name", true);
        Optional<String> serverName = s.optionalString("server-name").map(String::strip);
        serverName.filter(n -> !HOST_NAME.matcher(n).matches()).ifPresent(n -> s.error("server-name",
                "'server-name' must be a DNS name such as archive.example.org, not '" + n + "'"));
        if (serverName.isPresent() && !verifyName) {
            s.error("server-name", "'server-name' is only sent and checked with verify-name: true");
        }
        Optional<Path> certificate = Optional.ofNullable(path(s, "certificate", false));
        Optional<Path> key = Optional.ofNullable(path(s, "key", false));
        if (certificate.isPresent() != key.isPresent()) {
            s.error(certificate.isPresent() ? "certificate" : "key",
                    "a client certificate needs both 'certificate' and 'key'");
        }
        s.finish();
        if (!s.clean()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ClientTls.load(ca, verifyName, serverName, certificate, key));
        } catch (TlsFileException e) {
            s.error(e.key(), e.getMessage());
            return Optional.empty();
        }
    }

    private static Path path(Section s, String key, boolean required) {
        String text = required ? s.requiredString(key) : s.optionalString(key).orElse(null);
        if (text == null) {
            return null;
        }
        if (text.isBlank()) {
            s.error(key, "'" + key + "' must name a file");
            return null;
        }
        return Path.of(text.strip());
    }
}
