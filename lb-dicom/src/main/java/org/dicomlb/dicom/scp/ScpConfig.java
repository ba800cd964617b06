package org.dicomlb.dicom.scp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.dicomlb.dicom.AeTitle;

/**
 * How a {@link SimulatedScp} behaves.
 *
 * @param aeTitle           our title, echoed in nothing (an acceptor copies the request's AE
 *                          fields into its AC) but used by {@code requireCalledAe}
 * @param requireCalledAe   reject a request whose called AE is not ours: A-ASSOCIATE-RJ
 *                          permanent, service-user, called-AE-title-not-recognized
 * @param allowedCallingAes when not empty, reject other calling AEs: permanent, service-user,
 *                          calling-AE-title-not-recognized
 * @param maxPduLength      the max length (0x51) we advertise and enforce on every P-DATA-TF
 *                          we receive; 0 advertises "unlimited" and enforces
 *                          {@link #HARD_PDU_LIMIT}
 * @param storageDirectory  when present, each received instance is written there as
 *                          {@code <SOP Instance UID>.dcm} (DICOM Part 10); otherwise only
 *                          counted and checksummed
 * @param associateTimeout  ARTIM: how long a new connection may take to send its A-ASSOCIATE-RQ
 * @param idleTimeout       an association with no traffic for this long is aborted
 */
public record ScpConfig(
        AeTitle aeTitle,
        boolean requireCalledAe,
        Set<AeTitle> allowedCallingAes,
        long maxPduLength,
        Optional<Path> storageDirectory,
        Duration associateTimeout,
        Duration idleTimeout) {

    /** What we buffer at most for one PDU when the advertised max length is 0 (unlimited). */
    public static final long HARD_PDU_LIMIT = 16L * 1024 * 1024;
    /** DCMTK's default receive size; large enough for any association PDU of ours. */
    public static final long DEFAULT_MAX_PDU_LENGTH = 16_384;

    public ScpConfig {
        Objects.requireNonNull(aeTitle, "aeTitle");
        allowedCallingAes = Set.copyOf(allowedCallingAes);
        if (maxPduLength != 0 && (maxPduLength < 256 || maxPduLength > HARD_PDU_LIMIT)) {
            throw new IllegalArgumentException("max PDU length " + maxPduLength + " is neither 0 (unlimited) nor in 256.."
                    + HARD_PDU_LIMIT);
        }
        Objects.requireNonNull(storageDirectory, "storageDirectory");
        requirePositive(associateTimeout, "associate timeout");
        requirePositive(idleTimeout, "idle timeout");
    }

    /** Accepts any called and calling AE, advertises 16 KiB PDUs, stores nothing to disk. */
    public static ScpConfig of(AeTitle aeTitle) {
        return new ScpConfig(aeTitle, false, Set.of(), DEFAULT_MAX_PDU_LENGTH, Optional.empty(),
                Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    public ScpConfig withRequireCalledAe(boolean require) {
        return new ScpConfig(aeTitle, require, allowedCallingAes, maxPduLength, storageDirectory, associateTimeout,
                idleTimeout);
    }

    public ScpConfig withAllowedCallingAes(Set<AeTitle> allowed) {
        return new ScpConfig(aeTitle, requireCalledAe, allowed, maxPduLength, storageDirectory, associateTimeout,
                idleTimeout);
    }

    public ScpConfig withMaxPduLength(long length) {
        return new ScpConfig(aeTitle, requireCalledAe, allowedCallingAes, length, storageDirectory, associateTimeout,
                idleTimeout);
    }

    public ScpConfig withStorageDirectory(Path directory) {
        return new ScpConfig(aeTitle, requireCalledAe, allowedCallingAes, maxPduLength, Optional.of(directory),
                associateTimeout, idleTimeout);
    }

    /**
     * The frame bound: the advertised length, but never below 64 KiB because association PDUs
     * (a request proposing a hundred contexts) are not limited by max length and run larger.
     */
    long frameLimit() {
        return maxPduLength == 0 ? HARD_PDU_LIMIT : Math.max(maxPduLength, 64 * 1024);
    }

    private static void requirePositive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
    }
}
