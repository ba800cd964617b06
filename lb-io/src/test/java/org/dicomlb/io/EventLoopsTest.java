package org.dicomlb.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventLoopsTest {
    @Test
    void groupsAreMadeOnceAndStopTogether() {
        EventLoops loops = EventLoops.create(true);
        EventLoops.Group io = loops.group("io", 2);
        assertThat(loops.group("io", 5)).isSameAs(io);
        EventLoops.Group health = loops.group("health", 1);
        assertThat(health.group()).isNotSameAs(io.group());
        assertThat(io.transport()).isEqualTo(Transport.best()).isEqualTo(loops.transport());
        loops.close();
        assertThat(io.group().isTerminated()).isTrue();
        assertThat(health.group().isTerminated()).isTrue();
        assertThatThrownBy(() -> loops.group("gslb", 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void nioWhenAskedFor() {
        try (EventLoops loops = EventLoops.create(false)) {
            assertThat(loops.transport()).isEqualTo(Transport.NIO);
            assertThat(loops.group("io", 1).transport()).isEqualTo(Transport.NIO);
        }
    }
}
