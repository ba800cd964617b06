package org.dicomlb.healthcheck.config;

import org.dicomlb.dicom.AeTitle;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomlb.config.ConfigNode;
import org.dicomlb.config.Durations;
import org.dicomlb.config.Section;

/**
 * Reads a {@code health-check:} mapping (a pool's, or a GSLB member's {@code check:}). Every mistake
 * is recorded in the section's {@link org.dicomlb.config.Problems} at its position and reading
 * carries on, so one validation run lists them all. See the module README for the key reference.
 */
public final class HealthCheckReader {
    static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    static final Duration MIN_FAST_INTERVAL = Duration.ofMillis(50);
    static final Duration MAX_INTERVAL = Duration.ofHours(1);
    static final Duration MIN_TIMEOUT = Duration.ofMillis(10);
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(1);
    static final Duration MIN_WINDOW = Duration.ofSeconds(1);
    static final int MAX_MIN_CLIENTS = 1000;

    private static final List<String> HTTP_KEYS =
            List.of("method", "path", "host", "expect-status", "expect-body", "tls", "tls-verify");
    private static final List<String> DICOM_KEYS = List.of("calling-ae", "called-ae");
    private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})\\s*%");

    private HealthCheckReader() {
    }

    /**
     * Reads the section; empty when it had any problem (all of them recorded). The engine's pool
     * reader calls this with {@code pool.section("health-check")}.
     */
    public static Optional<HealthCheckConfig> read(Section s) {
        boolean typeWritten = s.node("type").isPresent();
        Optional<CheckType> type = s.optionalChoice("type", CheckType.class);

        Optional<Duration> interval = s.optionalDuration("interval", MIN_INTERVAL, MAX_INTERVAL);
        boolean intervalUsable = interval.isPresent() || s.node("interval").isEmpty();
        Duration iv = interval.orElse(HealthCheckConfig.DEFAULT_INTERVAL);
        Optional<Duration> fast = s.optionalDuration("fast-interval", MIN_FAST_INTERVAL, MAX_INTERVAL);
        Optional<Duration> down = s.optionalDuration("down-interval", MIN_INTERVAL, MAX_INTERVAL);
        Optional<Duration> timeout = s.optionalDuration("timeout", MIN_TIMEOUT, MAX_TIMEOUT);
        if (intervalUsable && timeout.isPresent() && timeout.get().compareTo(iv) >= 0) {
            s.error("timeout", "'timeout' (" + Durations.format(timeout.get()) + ") must be shorter than 'interval' ("
                    + Durations.format(iv) + "): a probe has to end before the next one is due");
        }
        if (intervalUsable && fast.isPresent() && fast.get().compareTo(iv) > 0) {
            s.error("fast-interval", "'fast-interval' (" + Durations.format(fast.get()) + ") must not be longer than 'interval' ("
                    + Durations.format(iv) + ")");
        }
        int rise = s.integer("rise", HealthCheckConfig.DEFAULT_RISE, 1, HealthCheckConfig.MAX_RISE_FALL);
        int fall = s.integer("fall", HealthCheckConfig.DEFAULT_FALL, 1, HealthCheckConfig.MAX_RISE_FALL);
        int spread = s.parsed("spread", HealthCheckReader::percent).orElse(HealthCheckConfig.DEFAULT_SPREAD_PERCENT);
        OptionalInt port = s.optionalInteger("port", 1, 65535).map(OptionalInt::of).orElse(OptionalInt.empty());
        Optional<InetSocketAddress> address = s.optionalAddress("address");
        if (s.node("port").isPresent() && s.node("address").isPresent()) {
            s.error("address", "give either 'port' (same IP as the backend) or 'address' (another ip:port), not both");
        }
        PassiveConfig observe = observe(s);

        ProbeConfig probe = null;
        if (typeWritten && type.isEmpty()) {
            // The type is wrong, so we cannot tell which type-specific keys belong: accept them all quietly.
            HTTP_KEYS.forEach(s::has);
            DICOM_KEYS.forEach(s::has);
        } else {
            CheckType t = type.orElse(CheckType.TCP);
            refuseForeignKeys(s, t);
            probe = switch (t) {
                case TCP -> new TcpProbe();
                case HTTP -> http(s);
                case DICOM_ECHO -> dicomEcho(s);
            };
        }
        ProbeConfig p = probe;
        Duration fastInterval = fast.orElse(min(HealthCheckConfig.DEFAULT_FAST_INTERVAL, iv));
        Duration downInterval = down.orElse(iv);
        Duration probeTimeout = timeout.orElse(min(HealthCheckConfig.DEFAULT_TIMEOUT, iv.dividedBy(2)));
        return Optional.ofNullable(s.build(() -> new HealthCheckConfig(p, iv, fastInterval, downInterval, probeTimeout,
                rise, fall, spread, port, address, observe)));
    }

    private static HttpProbe http(Section s) {
        HttpProbe.Method method = s.parsed("method", HealthCheckReader::method).orElse(HttpProbe.Method.GET);
        String path = s.parsed("path", HttpProbe::requireValidPath).orElse("/");
        Optional<String> host = s.parsed("host", HttpProbe::requireValidHost);
        List<StatusRange> statuses = HttpProbe.DEFAULT_EXPECT_STATUS;
        if (s.node("expect-status").isPresent()) {
            statuses = s.parsedList("expect-status", StatusRange::parse);
            if (statuses.isEmpty() && s.clean()) {
                s.error("expect-status", "'expect-status' must list at least one status, e.g. [200] or [2xx, 3xx]");
            }
        }
        Optional<String> body = s.parsed("expect-body", HealthCheckReader::expectBody);
        if (body.isPresent() && method == HttpProbe.Method.HEAD) {
            s.error("expect-body", "'expect-body' cannot be used with method HEAD: a HEAD response has no body");
        }
        boolean tls = s.bool("tls", false);
        boolean verify = s.bool("tls-verify", true);
        if (s.node("tls-verify").isPresent() && !tls) {
            s.error("tls-verify", "'tls-verify' applies only with 'tls: true'");
        }
        if (!s.clean()) {
            return null;
        }
        return new HttpProbe(method, path, host, statuses.isEmpty() ? HttpProbe.DEFAULT_EXPECT_STATUS : statuses,
                body, tls, verify);
    }

    private static DicomEchoProbe dicomEcho(Section s) {
        AeTitle calling = s.parsed("calling-ae", AeTitle::of).orElse(DicomEchoProbe.DEFAULT_CALLING_AE);
        Optional<AeTitle> called = s.parsed("called-ae", AeTitle::of);
        return new DicomEchoProbe(calling, called);
    }

    private static PassiveConfig observe(Section s) {
        Optional<ConfigNode> node = s.node("observe");
        if (node.isPresent() && node.get() instanceof ConfigNode.Scalar sc && sc.kind() == ConfigNode.Scalar.Kind.BOOLEAN) {
            return s.bool("observe", true) ? PassiveConfig.DEFAULT : PassiveConfig.OFF;
        }
        return s.section("observe").map(o -> {
            boolean enabled = o.bool("enabled", true);
            int minClients = o.integer("min-clients", PassiveConfig.DEFAULT_MIN_CLIENTS, 2, MAX_MIN_CLIENTS);
            Duration window = o.duration("window", PassiveConfig.DEFAULT_WINDOW, MIN_WINDOW, MAX_INTERVAL);
            return o.build(() -> new PassiveConfig(enabled, minClients, window));
        }).orElse(PassiveConfig.DEFAULT);
    }

    private static void refuseForeignKeys(Section s, CheckType type) {
        for (String key : HTTP_KEYS) {
            if (type != CheckType.HTTP && s.node(key).isPresent()) {
                s.error(key, "'" + key + "' is a setting of http checks; this check is type " + Section.kebab(type));
            }
        }
        for (String key : DICOM_KEYS) {
            if (type != CheckType.DICOM_ECHO && s.node(key).isPresent()) {
                s.error(key, "'" + key + "' is a setting of dicom-echo checks; this check is type " + Section.kebab(type));
            }
        }
    }

    static int percent(String text) {
        Matcher m = PERCENT.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a percentage; write e.g. 10%");
        }
        int p = Integer.parseInt(m.group(1));
        if (p > HealthCheckConfig.MAX_SPREAD_PERCENT) {
            throw new IllegalArgumentException(p + "% is too much jitter; use 0% to " + HealthCheckConfig.MAX_SPREAD_PERCENT + "%");
        }
        return p;
    }

    private static HttpProbe.Method method(String text) {
        try {
            return HttpProbe.Method.valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a method a check can use; write GET, HEAD or OPTIONS");
        }
    }

    private static String expectBody(String text) {
        if (text.isEmpty() || text.length() > HttpProbe.MAX_EXPECT_BODY_CHARS) {
            throw new IllegalArgumentException("must be 1 to " + HttpProbe.MAX_EXPECT_BODY_CHARS + " characters");
        }
        return text;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
