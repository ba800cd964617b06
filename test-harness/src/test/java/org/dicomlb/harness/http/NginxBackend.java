package org.dicomlb.harness.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dicomlb.harness.peers.Binaries;
import org.dicomlb.harness.peers.PeerProcess;

/**
 * nginx (Debian's nginx-light) as an HTTP/1.1 backend on 127.0.0.1 and a free port, one worker,
 * its files under {@code root}:
 *
 * <ul>
 *   <li>{@code GET /FILE}: a file of {@code root};</li>
 *   <li>{@code PUT /upload/NAME}: WebDAV stores the body as {@code root/upload/NAME} (no size limit);</li>
 *   <li>{@code GET /health}: 200 {@code ok};</li>
 *   <li>{@code GET /whoami}: the forwarded headers nginx received, one {@code name=value} per line;</li>
 *   <li>{@code GET /peer}: with {@code proxy_protocol} on, the client the PROXY header named ({@code ip:port}).</li>
 * </ul>
 */
final class NginxBackend implements AutoCloseable {
    private final PeerProcess process;
    private final Path root;

    private NginxBackend(PeerProcess process, Path root) {
        this.process = process;
        this.root = root;
    }

    static NginxBackend start(Path dir) {
        return start(dir, false);
    }

    /** @param proxyProtocol listen with {@code proxy_protocol}: every connection must start with a PROXY header */
    static NginxBackend start(Path dir, boolean proxyProtocol) {
        Path nginx = Binaries.find("nginx", "nginx-light");
        Path root = dir.resolve("www");
        try {
            Files.createDirectories(root.resolve("upload"));
            for (String t : List.of("tmp-body", "tmp-proxy", "tmp-fastcgi", "tmp-uwsgi", "tmp-scgi")) {
                Files.createDirectories(dir.resolve(t));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PeerProcess p = PeerProcess.startListening("nginx", dir, port -> {
            Path conf = dir.resolve("nginx-" + port + ".conf");
            String text = """
                    daemon off;
                    master_process off;
                    worker_processes 1;
                    pid %1$s/nginx-%2$d.pid;
                    error_log stderr warn;
                    events { worker_connections 1024; }
                    http {
                        access_log off;
                        keepalive_requests 100000;
                        keepalive_timeout 300s;
                        client_max_body_size 0;
                        client_body_temp_path %1$s/tmp-body;
                        proxy_temp_path %1$s/tmp-proxy;
                        fastcgi_temp_path %1$s/tmp-fastcgi;
                        uwsgi_temp_path %1$s/tmp-uwsgi;
                        scgi_temp_path %1$s/tmp-scgi;
                        default_type application/octet-stream;
                        server {
                            listen 127.0.0.1:%2$d%4$s;
                            root %3$s;
                            location /upload/ { dav_methods PUT; create_full_put_path on; }
                            location = /health { return 200 "ok\\n"; }
                            location = /peer { return 200 "$proxy_protocol_addr:$proxy_protocol_port"; }
                            location = /whoami {
                                return 200 "xff=$http_x_forwarded_for\\nproto=$http_x_forwarded_proto\\nxhost=$http_x_forwarded_host\\nforwarded=$http_forwarded\\nhost=$http_host\\n";
                            }
                        }
                    }
                    """.formatted(dir, port, root, proxyProtocol ? " proxy_protocol" : "");
            try {
                Files.writeString(conf, text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // -e: nginx 1.22 otherwise opens the packaged /var/log/nginx/error.log before reading our file.
            return List.of(nginx.toString(), "-p", dir.toString(), "-e", "stderr", "-c", conf.toString());
        }, Duration.ofSeconds(20));
        return new NginxBackend(p, root);
    }

    int port() {
        return process.port();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    Path root() {
        return root;
    }

    String log() {
        return process.log();
    }

    @Override
    public void close() {
        process.close();
    }
}
