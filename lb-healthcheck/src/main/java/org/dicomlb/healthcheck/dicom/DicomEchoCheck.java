package org.dicomlb.healthcheck.dicom;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.dicomlb.config.Section;
import org.dicomlb.dicom.dimse.Status;
import org.dicomlb.dicom.echo.EchoRequest;
import org.dicomlb.dicom.echo.EchoResult;
import org.dicomlb.dicom.echo.EchoScu;
import org.dicomlb.healthcheck.CheckResult;
import org.dicomlb.healthcheck.HealthCheck;
import org.dicomlb.healthcheck.ProbeTransport;
import org.dicomlb.healthcheck.config.DicomEchoProbe;

/**
 * Healthy when the backend completes a C-ECHO with status 0x0000: association accepted, the
 * Verification context accepted, the DIMSE answered. Everything else is a failure whose detail
 * names what the backend did (rejected with which codes, aborted, wrong status, timeout in which
 * phase), so an operator sees "rejected permanent by service-user: calling-AE-not-recognized"
 * instead of "down".
 *
 * <p>Native and cheap: one short association on the checker's own event loops, no external
 * {@code echoscu} process per probe.
 */
public final class DicomEchoCheck implements HealthCheck {
    private final DicomEchoProbe probe;
    private final EchoScu scu;

    public DicomEchoCheck(DicomEchoProbe probe, ProbeTransport transport) {
        this.probe = probe;
        EchoScu plain = new EchoScu(transport.group(), transport.channelType());
        // Over TLS as the pool's own connections go; the handshake is bounded by the probe's timeout.
        this.scu = probe.tls().map(tls -> plain.withTls((alloc, address) -> tls.newHandler(alloc, address, TLS_HANDSHAKE_BOUND)))
                .orElse(plain);
    }

    /** The probe's own timeout bounds the whole exchange; this only keeps a stuck handshake from outliving it. */
    private static final Duration TLS_HANDSHAKE_BOUND = Duration.ofSeconds(60);

    @Override
    public CompletableFuture<CheckResult> probe(InetSocketAddress address, Duration timeout) {
        return scu.echo(new EchoRequest(probe.callingAe(), probe.effectiveCalledAe(), address, timeout))
                .thenApply(r -> result(r, timeout));
    }

    static CheckResult result(EchoResult r, Duration timeout) {
        return switch (r) {
            case EchoResult.Success s -> CheckResult.success("C-ECHO ok in " + s.rtt().toMillis() + "ms");
            case EchoResult.Timeout t -> CheckResult.timeout(timeout, phase(t.phase()));
            case EchoResult.Rejected rj -> CheckResult.failure("association rejected "
                    + label(rj.result()) + " by " + label(rj.source()) + ": " + label(rj.reason()));
            case EchoResult.Aborted a -> CheckResult.failure("association aborted by " + label(a.source())
                    + ": " + label(a.reason()));
            case EchoResult.Failed f -> CheckResult.failure("C-ECHO status " + Status.hex(f.status()));
            case EchoResult.VerificationNotAccepted v -> CheckResult.failure(
                    "Verification SOP class not accepted: " + label(v.result()));
            case EchoResult.ConnectFailed c -> c.localShortage()
                    ? CheckResult.localError("not probed: dicomlb is out of file descriptors")
                    : CheckResult.failure("connect " + c.reason());
            case EchoResult.ProtocolError p -> CheckResult.failure("protocol error: " + p.detail());
        };
    }

    private static String phase(EchoResult.Phase p) {
        return switch (p) {
            case CONNECT -> "connecting";
            case ASSOCIATE -> "waiting for A-ASSOCIATE-AC";
            case ECHO -> "waiting for C-ECHO-RSP";
        };
    }

    /** Enum constants as operators read them: REJECTED_PERMANENT becomes rejected-permanent. */
    private static String label(Enum<?> e) {
        return Section.kebab(e);
    }
}
