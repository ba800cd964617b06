package org.dicomlb.engine.config;

/**
 * What a listener understands of the bytes it relays, with that mode's own settings. Each mode is
 * a record here and a frontend in the engine (registered in {@code engine.listener.Frontends});
 * adding a mode adds one of each.
 */
public sealed interface ListenerMode permits ListenerMode.Tcp, DicomMode {
    /** The mode as configuration files and logs spell it: {@code tcp}, {@code dicom}. */
    String label();

    /** Plain TCP relay: pick a backend per connection and copy bytes both ways. */
    record Tcp() implements ListenerMode {
        public static final Tcp INSTANCE = new Tcp();

        @Override
        public String label() {
            return "tcp";
        }
    }
}
