package org.dicomlb.dicom.scp;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One C-STORE the simulated SCP answered.
 *
 * @param callingAe      the requestor's AE title as sent (trimmed, unprintables escaped)
 * @param length         data set octets received
 * @param crc32c         CRC-32C of those octets, so tests can compare content without a file
 * @param file           the Part 10 file, when the SCP writes to a directory and it succeeded
 * @param status         the status sent in the C-STORE-RSP
 */
public record ReceivedInstance(String callingAe, String sopClassUid, String sopInstanceUid, String transferSyntax,
        long length, long crc32c, Optional<Path> file, int status) {
    public ReceivedInstance {
        Objects.requireNonNull(callingAe, "callingAe");
        Objects.requireNonNull(sopClassUid, "sopClassUid");
        Objects.requireNonNull(sopInstanceUid, "sopInstanceUid");
        Objects.requireNonNull(transferSyntax, "transferSyntax");
        Objects.requireNonNull(file, "file");
    }
}
