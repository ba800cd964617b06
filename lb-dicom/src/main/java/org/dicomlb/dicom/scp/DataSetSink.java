package org.dicomlb.dicom.scp;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import org.dicomlb.dicom.dimse.Status;

/**
 * Where the data set of one C-STORE goes. Called on the association's event loop, in order;
 * an implementation that does I/O hands it to another thread and never blocks the caller.
 */
interface DataSetSink {
    /** What storing the instance came to. */
    record Outcome(int status, Optional<Path> file) {
    }

    void write(byte[] fragment);

    /** The data set is complete; {@code done} runs on the event loop with the outcome. */
    void finish(Consumer<Outcome> done);

    /** The association ended before the data set did: drop whatever was kept. */
    void discard();

    /** Keeps nothing; the handler counts and checksums the octets. */
    DataSetSink COUNTING = new DataSetSink() {
        @Override
        public void write(byte[] fragment) {
        }

        @Override
        public void finish(Consumer<Outcome> done) {
            done.accept(new Outcome(Status.SUCCESS, Optional.empty()));
        }

        @Override
        public void discard() {
        }
    };
}
