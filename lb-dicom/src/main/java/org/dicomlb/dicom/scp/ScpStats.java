package org.dicomlb.dicom.scp;

/**
 * A snapshot of a {@link SimulatedScp}'s counters since it started.
 *
 * @param associations   associations accepted
 * @param rejections     A-ASSOCIATE-RJ sent
 * @param echoes         C-ECHO-RQ answered
 * @param stores         C-STORE-RQ answered with success
 * @param storeFailures  C-STORE-RQ answered with a failure status
 * @param bytes          data set octets received
 * @param releases       associations released normally
 * @param abortsReceived A-ABORT received
 * @param protocolErrors associations we aborted or closed for a protocol violation or timeout
 */
public record ScpStats(long associations, long rejections, long echoes, long stores, long storeFailures,
        long bytes, long releases, long abortsReceived, long protocolErrors) {
}
