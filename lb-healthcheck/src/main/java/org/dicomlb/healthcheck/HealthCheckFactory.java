package org.dicomlb.healthcheck;

import org.dicomlb.healthcheck.config.DicomEchoProbe;
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

    /**
     * tcp and http. dicom-echo needs the C-ECHO SCU of lb-dicom and is refused until that module
     * provides it; a pool configured with it then fails at update time, never silently unchecked.
     */
    static HealthCheckFactory standard() {
        TlsContexts tls = new TlsContexts();
        return (probe, transport) -> switch (probe) {
            case TcpProbe t -> new TcpCheck(transport);
            case HttpProbe h -> new HttpCheck(h, transport, tls);
            case DicomEchoProbe d -> throw new IllegalArgumentException(
                    "dicom-echo checks are not available in this build (they need lb-dicom's C-ECHO SCU)");
        };
    }
}
