package org.dicomlb.healthcheck.config;

import java.util.Objects;
import java.util.Optional;

/**
 * A DICOM C-ECHO probe (verification SOP class). {@code calledAe} empty means: the backend's own
 * called AE title when the pool gives one, otherwise {@value #FALLBACK_CALLED_AE}; the engine fills
 * it in per backend with {@link #withCalledAe}.
 */
public record DicomEchoProbe(String callingAe, Optional<String> calledAe) implements ProbeConfig {
    public static final String DEFAULT_CALLING_AE = "DICOMLB";
    public static final String FALLBACK_CALLED_AE = "ANY-SCP";

    public DicomEchoProbe {
        AeTitles.requireValid(callingAe);
        Objects.requireNonNull(calledAe, "calledAe");
        calledAe.ifPresent(AeTitles::requireValid);
    }

    public DicomEchoProbe withCalledAe(String ae) {
        return new DicomEchoProbe(callingAe, Optional.of(ae));
    }

    /** The called AE title a probe sends. */
    public String effectiveCalledAe() {
        return calledAe.orElse(FALLBACK_CALLED_AE);
    }

    @Override
    public CheckType type() {
        return CheckType.DICOM_ECHO;
    }
}
