package org.dicomlb.engine.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomlb.testkit.Ports;
import org.dicomlb.testkit.TestPki;

/**
 * A real HTTP/1.1 backend for tests (the JDK's HTTP server) on a 127.0.0.x address and a port
 * from {@link Ports}. It answers:
 *
 * <ul>
 *   <li>{@code /name}: its name;</li>
 *   <li>{@code /headers}: the request's header fields, one {@code name: value} line each,
 *       names in lower case, in sorted order;</li>
 *   <li>{@code /echo}: the request body back, with {@code X-Length} its length;</li>
 *   <li>{@code /status/N}: status N with a short body;</li>
 *   <li>{@code /slow/MS}: its name after MS milliseconds.</li>
 * </ul>
 *
 * It remembers the client port of every request, so a test can tell how many connections dicomlb
 * opened to it (kept-alive connections reuse a port).
 */
public final class HttpTestBackend implements AutoCloseable {
    private final String name;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Map<String, String>> seen = new CopyOnWriteArrayList<>();

    private HttpTestBackend(String name, HttpServer server) {
        this.name = name;
        this.server = server;
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public static HttpTestBackend start(String name, String host) throws IOException {
        InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(host), Ports.free(host));
        return new HttpTestBackend(name, HttpServer.create(at, 512));
    }

    /** An HTTPS backend presenting {@code certificate} (its chain file and PKCS#8 key file). */
    public static HttpTestBackend startTls(String name, String host, TestPki.Issued certificate) throws IOException {
        InetSocketAddress at = new InetSocketAddress(InetAddress.getByName(host), Ports.free(host));
        HttpsServer server = HttpsServer.create(at, 512);
        server.setHttpsConfigurator(new HttpsConfigurator(TestPki.serverContext(certificate)));
        return new HttpTestBackend(name, server);
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    public String hostPort() {
        return address().getAddress().getHostAddress() + ":" + address().getPort();
    }

    /** Distinct client ports seen: the number of connections dicomlb made. */
    public int connections() {
        return clientPorts.size();
    }

    public int requests() {
        return requests.get();
    }

    /** The header fields of every request, in order (names in lower case). */
    public List<Map<String, String>> seen() {
        return seen;
    }

    private void handle(HttpExchange x) throws IOException {
        requests.incrementAndGet();
        clientPorts.add(x.getRemoteAddress().getPort());
        Map<String, String> headers = new TreeMap<>();
        x.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
        seen.add(headers);
        String path = x.getRequestURI().getRawPath();
        try (x) {
            if (path.equals("/headers")) {
                StringBuilder sb = new StringBuilder();
                headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
                send(x, 200, sb.toString());
            } else if (path.equals("/echo")) {
                byte[] body;
                try (InputStream in = x.getRequestBody()) {
                    body = in.readAllBytes();
                }
                x.getResponseHeaders().set("X-Length", Integer.toString(body.length));
                x.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                try (OutputStream out = x.getResponseBody()) {
                    out.write(body);
                }
            } else if (path.startsWith("/status/")) {
                int code = Integer.parseInt(path.substring("/status/".length()));
                send(x, code, name + " says " + code + "\n");
            } else if (path.startsWith("/slow/")) {
                Thread.sleep(Long.parseLong(path.substring("/slow/".length())));
                send(x, 200, name);
            } else {
                x.getRequestBody().readAllBytes();
                send(x, 200, name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange x, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "text/plain");
        x.sendResponseHeaders(code, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(b);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
