package org.dicomlb.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelException;
import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class SystemErrorsTest {
    @Test
    void descriptorExhaustionIsRecognisedThroughWrappers() {
        assertThat(SystemErrors.outOfDescriptors(new IOException("accept(..) failed: Too many open files"))).isTrue();
        assertThat(SystemErrors.outOfDescriptors(new ChannelException("Unable to create Channel from class EpollSocketChannel",
                new ChannelException(new IOException("socket(..) failed: Too many open files"))))).isTrue();
        assertThat(SystemErrors.outOfDescriptors(new IOException("ENFILE"))).isTrue();
        assertThat(SystemErrors.outOfDescriptors(new ConnectException("Connection refused"))).isFalse();
        assertThat(SystemErrors.outOfDescriptors(null)).isFalse();
    }
}
