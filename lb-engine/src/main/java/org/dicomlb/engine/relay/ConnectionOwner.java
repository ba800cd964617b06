package org.dicomlb.engine.relay;

/** The listener a {@link ProxyConnection} belongs to, told once when the connection has fully ended. */
public interface ConnectionOwner {
    /**
     * @param admitted whether the connection had been admitted under {@code max-connections}
     *                 (its slot is free again)
     */
    void ended(ProxyConnection connection, boolean admitted);
}
