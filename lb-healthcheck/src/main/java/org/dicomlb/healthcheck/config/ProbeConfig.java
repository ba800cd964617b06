package org.dicomlb.healthcheck.config;

/**
 * What one active probe does, per check type. Sealed so that a new type is one more record here,
 * one more case in the reader and one more check class; the compiler finds every switch to extend.
 */
public sealed interface ProbeConfig permits TcpProbe, HttpProbe, DicomEchoProbe {
    CheckType type();
}
