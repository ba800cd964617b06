package org.dicomlb.engine.dicom;

import io.netty.channel.ChannelHandler;
import java.util.function.Function;
import org.dicomlb.engine.metrics.EngineMetrics;
import org.dicomlb.engine.relay.ListenerContext;

/** Makes the frontend of each {@code mode: dicom} connection; registered with the engine's listeners. */
public final class DicomFrontends implements Function<ListenerContext, ChannelHandler> {
    private final DicomMetrics metrics;

    public DicomFrontends(EngineMetrics metrics) {
        this.metrics = new DicomMetrics(metrics);
    }

    @Override
    public ChannelHandler apply(ListenerContext listener) {
        return new DicomFrontend(listener, metrics);
    }
}
