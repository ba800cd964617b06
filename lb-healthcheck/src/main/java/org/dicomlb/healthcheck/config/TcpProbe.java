package org.dicomlb.healthcheck.config;

/** A TCP connect probe: the endpoint is healthy when it accepts a connection within the timeout. */
public record TcpProbe() implements ProbeConfig {
    @Override
    public CheckType type() {
        return CheckType.TCP;
    }
}
