package org.dicomlb.healthcheck.config;

import org.dicomlb.dicom.AeTitle;
import org.dicomlb.tls.ClientTls;

import java.util.Objects;
import java.util.Optional;

/**
 * A DICOM C-ECHO probe (verification SOP class). {@code calledAe} empty means: the backend's own
 * called AE title when the pool gives one, otherwise ANY-SCP; the engine fills
 * it in per backend with {@link #withCalledAe}. {@code tls}, filled in by the engine for a pool with
 * {@code tls} ({@link #withTls}), makes the probe speak DICOM over TLS as the pool's connections do.
 */
public record DicomEchoProbe(AeTitle callingAe, Optional<AeTitle> calledAe, Optional<ClientTls> tls) implements ProbeConfig {
    public static final AeTitle DEFAULT_CALLING_AE = AeTitle.of("DICOMLB");
    public static final AeTitle FALLBACK_CALLED_AE = AeTitle.of("ANY-SCP");

    public DicomEchoProbe {
        Objects.requireNonNull(callingAe, "callingAe");
        Objects.requireNonNull(calledAe, "calledAe");
        Objects.requireNonNull(tls, "tls");
    }

    /** A plain DICOM probe. */
    public DicomEchoProbe(AeTitle callingAe, Optional<AeTitle> calledAe) {
        this(callingAe, calledAe, Optional.empty());
    }

    public DicomEchoProbe withCalledAe(AeTitle ae) {
        return new DicomEchoProbe(callingAe, Optional.of(ae), tls);
    }

    public DicomEchoProbe withTls(ClientTls t) {
        return new DicomEchoProbe(callingAe, calledAe, Optional.of(t));
    }

    /** The called AE title a probe sends. */
    public AeTitle effectiveCalledAe() {
        return calledAe.orElse(FALLBACK_CALLED_AE);
    }

    @Override
    public CheckType type() {
        return CheckType.DICOM_ECHO;
    }
}
