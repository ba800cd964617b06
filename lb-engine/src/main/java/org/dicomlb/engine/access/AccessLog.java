package org.dicomlb.engine.access;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one line per connection to the {@code dicomlb.access} logger. The logging backend
 * decides where it goes (stdout by default, a file with {@code --access-log}); the line's format
 * is ours and documented in docs/access-log.md.
 */
public final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("dicomlb.access");

    private AccessLog() {
    }

    public static void write(ConnectionRecord record) {
        if (LOG.isInfoEnabled()) {
            LOG.info(record.format());
        }
    }
}
