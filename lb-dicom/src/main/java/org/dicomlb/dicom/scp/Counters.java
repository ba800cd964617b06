package org.dicomlb.dicom.scp;

import java.util.concurrent.atomic.LongAdder;

/** Counters shared by all associations of one SCP; written from any event loop. */
final class Counters {
    final LongAdder associations = new LongAdder();
    final LongAdder rejections = new LongAdder();
    final LongAdder echoes = new LongAdder();
    final LongAdder stores = new LongAdder();
    final LongAdder storeFailures = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder releases = new LongAdder();
    final LongAdder abortsReceived = new LongAdder();
    final LongAdder protocolErrors = new LongAdder();

    ScpStats snapshot() {
        return new ScpStats(associations.sum(), rejections.sum(), echoes.sum(), stores.sum(), storeFailures.sum(),
                bytes.sum(), releases.sum(), abortsReceived.sum(), protocolErrors.sum());
    }
}
