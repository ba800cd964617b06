package org.dicomlb.engine.config;

/** What a listener understands of the bytes it relays. */
public enum ListenerMode {
    /** Plain TCP relay: pick a backend per connection and copy bytes both ways. */
    TCP
}
