package org.dicomlb.healthcheck.config;

import org.dicomlb.dicom.AeTitle;

import java.util.Objects;
import java.util.Optional;

/**
 * A DICOM C-ECHO probe (verification SOP class). {@code calledAe} empty means: the backend's own
 * called AE title when the pool gives one, otherwise ANY-SCP; the engine fills
 * it in per backend with {@link #withCalledAe}.
 */
public record DicomEchoProbe(AeTitle callingAe, Optional<AeTitle> calledAe) implements ProbeConfig {
    public static final AeTitle DEFAULT_CALLING_AE = AeTitle.of("DICOMLB");
    public static final AeTitle FALLBACK_CALLED_AE = AeTitle.of("ANY-SCP");

    public DicomEchoProbe {
        Objects.requireNonNull(callingAe, "callingAe");
        Objects.requireNonNull(calledAe, "calledAe");
    }

    public DicomEchoProbe withCalledAe(AeTitle ae) {
        return new DicomEchoProbe(callingAe, Optional.of(ae));
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
