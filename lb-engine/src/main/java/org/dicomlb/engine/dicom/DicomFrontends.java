package org.dicomlb.engine.dicom;

import io.netty.channel.ChannelHandler;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.relay.FrontendFactory;
import org.dicomlb.engine.relay.ListenerContext;

/** The frontend factory of {@code mode: dicom} listeners, registered with the engine's listeners. */
public final class DicomFrontends implements FrontendFactory {
    private final DicomMetrics metrics;

    public DicomFrontends(EngineMetrics metrics) {
        this.metrics = new DicomMetrics(metrics.registry());
    }

    @Override
    public ChannelHandler create(ListenerContext listener) {
        return new DicomFrontend(listener, metrics);
    }
}
