package org.dicomlb.cli.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.dicomlb.config.Binds;
import org.dicomlb.config.Section;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.tls.ServerTls;
import org.dicomlb.tls.config.TlsConfigReader;

/**
 * Reads the {@code admin} section. The token file is read here, at validation time, so that
 * {@code dicomlb validate} refuses what {@code dicomlb run} would refuse: a missing, unreadable,
 * empty or too short token, or one other users of the machine can read. The {@code tls}
 * certificate and key are read and checked here too.
 */
final class AdminConfigReader {
    private AdminConfigReader() {
    }

    static AdminConfig read(Section s, Binds binds) {
        InetSocketAddress listen = s.requiredAddress("listen");
        Optional<Path> file = s.optionalString("token-file").map(Path::of);
        Optional<String> token = file.flatMap(f -> token(s, f));
        Optional<ServerTls> tls = TlsConfigReader.server(s, false);
        if (listen != null && file.isEmpty() && !listen.getAddress().isLoopbackAddress()) {
            // Reload and drain are operations on live patient traffic; never offer them unauthenticated.
            s.error("listen", "admin listener on " + SocketAddresses.format(listen)
                    + " is reachable from the network; set 'token-file' or bind it to a loopback address");
        }
        binds.claim(s, "listen", "the admin listener", listen);
        return s.build(() -> new AdminConfig(listen, file, token, tls));
    }

    /** Group and other permission bits: a token any of them can read is not a secret. */
    private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private static Optional<String> token(Section s, Path file) {
        String t;
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.stream().anyMatch(NOT_OWNER::contains)) {
                s.error("token-file", "admin token file " + file + " is accessible to group or others (mode "
                        + PosixFilePermissions.toString(mode) + "); make it readable by dicomlb's user only: chmod 600 "
                        + file);
                return Optional.empty();
            }
        } catch (NoSuchFileException e) {
            s.error("token-file", "admin token file " + file + " does not exist");
            return Optional.empty();
        } catch (UnsupportedOperationException | IOException e) {
            // no POSIX permissions here (a non-POSIX file system): nothing to check
        }
        try {
            t = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            s.error("token-file", "admin token file " + file + " does not exist");
            return Optional.empty();
        } catch (IOException e) {
            s.error("token-file", "admin token file " + file + " cannot be read: " + e.getMessage());
            return Optional.empty();
        }
        if (t.isEmpty()) {
            s.error("token-file", "admin token file " + file + " is empty");
            return Optional.empty();
        }
        if (t.length() < AdminConfig.MIN_TOKEN_LENGTH || t.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            s.error("token-file", "the admin token in " + file + " must be at least " + AdminConfig.MIN_TOKEN_LENGTH
                    + " printable characters without spaces (e.g. the output of: openssl rand -hex 24)");
            return Optional.empty();
        }
        return Optional.of(t);
    }
}
