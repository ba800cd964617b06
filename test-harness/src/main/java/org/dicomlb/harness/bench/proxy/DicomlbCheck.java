package org.dicomlb.harness.bench.proxy;

import java.util.Objects;
import org.dicomlb.dicom.AeTitle;

/**
 * The active health check dicomlb runs on every backend of a route. HAProxy in mode tcp can only
 * connect, so it always gets its TCP connect check; both run at the same cadence
 * ({@link ProxyConfigs#CHECK_INTERVAL} and the constants beside it).
 */
public sealed interface DicomlbCheck {
    /** A TCP connect, as HAProxy does. */
    record TcpConnect() implements DicomlbCheck {
    }

    /**
     * A C-ECHO association to every backend, calling it {@code calledAe} (the title the scenario's
     * clients call it by). The calling AE is dicomlb's default.
     */
    record DicomEcho(String calledAe) implements DicomlbCheck {
        public DicomEcho {
            // Checked like every AE title dicomlb reads: the generated YAML must pass its validation.
            AeTitle.of(Objects.requireNonNull(calledAe, "calledAe"));
        }
    }
}
