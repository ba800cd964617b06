package org.dicomlb.healthcheck;

import org.dicomlb.healthcheck.config.DicomEchoProbe;
import org.dicomlb.healthcheck.dicom.DicomEchoCheck;
import org.dicomlb.healthcheck.config.HttpProbe;
import org.dicomlb.healthcheck.config.ProbeConfig;
import org.dicomlb.healthcheck.config.TcpProbe;
import org.dicomlb.healthcheck.http.HttpCheck;
import org.dicomlb.healthcheck.http.TlsContexts;
import org.dicomlb.healthcheck.tcp.TcpCheck;

/**
 * Makes the {@link HealthCheck} for a probe config. The checker calls it on {@link
 * HealthChecker#update} for targets that are new or whose config changed.
 */
@FunctionalInterface
public interface HealthCheckFactory {
    /**
     * The check for {@code probe}; throws {@link IllegalArgumentException} when this factory has
     * no implementation for its type (the update is then refused as a whole).
     */
    HealthCheck create(ProbeConfig probe, ProbeTransport transport);

    /** tcp, http and dicom-echo. */
    static HealthCheckFactory standard() {
        TlsContexts tls = new TlsContexts();
        return (probe, transport) -> switch (probe) {
            case TcpProbe t -> new TcpCheck(transport);
            case HttpProbe h -> new HttpCheck(h, transport, tls);
            case DicomEchoProbe d -> new DicomEchoCheck(d, transport);
        };
    }
}
