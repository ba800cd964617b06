package org.dicomlb.harness.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Opens DICOM associations (each: A-ASSOCIATE, one C-ECHO, A-RELEASE) back to back from a
 * number of concurrent clients. Today {@link EchoscuLoad} drives DCMTK's echoscu; a generator
 * built on lb-dicom's non-blocking C-ECHO SCU implements the same interface.
 */
public interface AssociationLoad {
    /**
     * Runs until {@code duration} has passed or {@code maxAssociations} were started, whichever
     * comes first; associations under way at the deadline are allowed to finish.
     */
    Result run(InetSocketAddress target, String callingAe, String calledAe, int concurrency, Duration duration,
               int maxAssociations) throws IOException, InterruptedException;

    /** How many associations completed with a successful C-ECHO, how many did not, over what time. */
    record Result(long succeeded, long failed, Duration elapsed, String firstFailure) {
        public Result {
            Objects.requireNonNull(elapsed, "elapsed");
        }

        public double perSecond() {
            return succeeded / (elapsed.toNanos() / 1e9);
        }
    }
}
