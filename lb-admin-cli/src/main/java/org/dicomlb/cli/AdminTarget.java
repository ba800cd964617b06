package org.dicomlb.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.dicomlb.cli.config.RootConfig;
import org.dicomlb.cli.config.RootConfigReader;
import org.dicomlb.config.ConfigException;
import org.dicomlb.config.SocketAddresses;
import org.dicomlb.cli.config.AdminConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * How the operator commands (status, reload, drain ...) find a running dicomlb's admin API: from
 * the configuration file ({@code -c}), from {@code --admin}, or the default 127.0.0.1:9900.
 */
final class AdminTarget {
    static final String DEFAULT = "127.0.0.1:9900";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "read the admin address and token file from this configuration")
    Path config;

    @Option(names = "--admin", paramLabel = "[https://]HOST:PORT",
            description = "admin listener (default: from -c, else " + DEFAULT + ")")
    String admin;

    @Option(names = "--token-file", paramLabel = "FILE", description = "admin token (default: from -c)")
    Path tokenFile;

    @Option(names = "--ca", paramLabel = "FILE",
            description = "PEM CA bundle the admin listener's certificate must chain to (implies https;"
                    + " default with -c and admin.tls: trust that certificate itself)")
    Path ca;

    /** Thrown for problems the operator must fix in their arguments or files (exit 2). */
    static final class BadTarget extends Exception {
        BadTarget(String message) {
            super(message);
        }
    }

    record Response(int status, JsonNode body) {
        /**
         * Reports an answer other than 200 as "{@code what} failed: HTTP 404: no backend ..." and
         * gives the exit code: 2 for a 4xx (the request must change: token, names, state), else 1.
         */
        int failed(String what, PrintWriter err) {
            String error = body == null ? "" : body.path("error").asText("");
            err.println(what + " failed: HTTP " + status + (error.isEmpty() ? "" : ": " + error));
            return status >= 400 && status < 500 ? ExitCodes.BAD_INPUT : ExitCodes.FAILURE;
        }
    }

    Response call(String method, String path) throws BadTarget, IOException, InterruptedException {
        return call(method, path, null);
    }

    /**
     * What the read-only commands share: GET {@code path}, then the answer printed as the admin
     * API's JSON ({@code json}) or by {@code text}; the exit code (2 for a bad target or a 4xx).
     */
    int show(CommandLine.Model.CommandSpec spec, String what, String path, boolean json,
             BiConsumer<PrintWriter, JsonNode> text) throws IOException, InterruptedException {
        Response r;
        try {
            r = call("GET", path);
        } catch (BadTarget e) {
            spec.commandLine().getErr().println(e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        if (r.status() != 200) {
            return r.failed(what, spec.commandLine().getErr());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            printJson(out, r.body());
        } else {
            text.accept(out, r.body());
        }
        return ExitCodes.OK;
    }

    /** The admin API's JSON, indented, as {@code --json} prints it. */
    static void printJson(PrintWriter out, JsonNode body) throws IOException {
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(body));
    }

    /** Calls the admin API; {@code jsonBody} may be null. */
    Response call(String method, String path, String jsonBody) throws BadTarget, IOException, InterruptedException {
        Optional<Path> token = Optional.ofNullable(tokenFile);
        Optional<AdminConfig> fromFile = Optional.empty();
        if (config != null) {
            try {
                RootConfig c = RootConfigReader.load(config);
                fromFile = c.admin();
            } catch (ConfigException e) {
                throw new BadTarget(e.getMessage() + "\n" + config + " has errors, so nothing was sent to dicomlb"
                        + " (use --admin HOST:PORT to reach it regardless)");
            }
            if (fromFile.isEmpty() && admin == null) {
                throw new BadTarget(config + " has no 'admin' section; dicomlb has no admin API to talk to");
            }
        }
        Endpoint at = endpoint(fromFile);
        if (token.isEmpty()) {
            token = fromFile.flatMap(AdminConfig::tokenFile);
        }
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(at.scheme() + "://" + SocketAddresses.format(at.address()) + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
        if (jsonBody != null) {
            req.header("Content-Type", "application/json");
        }
        if (token.isPresent()) {
            try {
                req.header("Authorization", "Bearer " + Files.readString(token.get(), StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw new BadTarget("cannot read token file " + token.get() + ": " + e.getMessage());
            }
        }
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (at.trust() != null) {
            client.sslContext(at.trust());
        }
        try (HttpClient http = client.build()) {
            HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isBlank() ? null : new ObjectMapper().readTree(r.body());
            return new Response(r.statusCode(), body);
        } catch (java.net.ConnectException e) {
            throw new IOException("no dicomlb admin API at " + SocketAddresses.format(at.address()) + " (connection refused)");
        } catch (javax.net.ssl.SSLException e) {
            throw new IOException("no TLS connection to the admin API at " + SocketAddresses.format(at.address()) + ": "
                    + e.getMessage() + (at.scheme().equals("https") ? "" : " (is it plain HTTP? drop https://)"));
        }
    }

    /** Where and how to reach the API: the scheme, the address and, for https, what to trust. */
    private record Endpoint(String scheme, InetSocketAddress address, javax.net.ssl.SSLContext trust) {
    }

    /**
     * {@code --admin} ({@code HOST:PORT}, {@code http://HOST:PORT} or {@code https://HOST:PORT}),
     * else the file's {@code admin.listen} (https when it has {@code tls}), else the default. For
     * https, {@code --ca} is the CA bundle the admin certificate must chain to, its name checked
     * against the host; without it, with {@code -c}, the file's own admin certificate is trusted
     * as it is (pinned: the very certificate dicomlb serves, so its name need not match).
     */
    private Endpoint endpoint(Optional<AdminConfig> fromFile) throws BadTarget {
        String scheme = fromFile.map(AdminConfig::scheme).orElse(ca != null ? "https" : "http");
        String where = admin;
        if (where != null && where.contains("://")) {
            scheme = where.substring(0, where.indexOf("://")).toLowerCase(java.util.Locale.ROOT);
            where = where.substring(where.indexOf("://") + 3);
            if (where.endsWith("/")) {
                where = where.substring(0, where.length() - 1);
            }
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new BadTarget("--admin: the scheme must be http or https, not " + scheme);
            }
        } else if (where != null && ca != null) {
            scheme = "https";
        }
        InetSocketAddress address;
        try {
            address = where != null ? SocketAddresses.parse(where)
                    : fromFile.map(AdminConfig::listen).orElse(SocketAddresses.parse(DEFAULT));
        } catch (IllegalArgumentException e) {
            throw new BadTarget("--admin: " + e.getMessage());
        }
        if (!scheme.equals("https")) {
            return new Endpoint(scheme, address, null);
        }
        try {
            if (ca != null) {
                return new Endpoint(scheme, address, AdminTrust.caBundle(ca));
            }
            Optional<Path> pinned = fromFile.flatMap(AdminConfig::tls).map(org.dicomlb.tls.ServerTls::certificate);
            if (pinned.isPresent()) {
                return new Endpoint(scheme, address, AdminTrust.pinned(pinned.get()));
            }
        } catch (IllegalArgumentException e) {
            throw new BadTarget(e.getMessage());
        }
        // No --ca and nothing pinned: the JVM's trust store (an admin certificate from a public CA).
        return new Endpoint(scheme, address, null);
    }
}
