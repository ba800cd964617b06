package org.dicomlb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.dicomlb.cli.admin.ApplianceStatus;
import org.dicomlb.engine.EngineStatus;
import org.dicomlb.l4.L4Status;
import org.junit.jupiter.api.Test;

/**
 * {@code dicomlb status} as an operator reads the kernel listeners: each real server's MAC, state,
 * share and nft counters, and a failed change said out loud. The JSON is the admin API's shape
 * (snake_case, nulls left out), as {@code GET /api/v1/status} serves it.
 */
class KernelStatusPrintTest {
    private static final ObjectMapper API = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private static String printed(L4Status l4) throws Exception {
        ApplianceStatus s = ApplianceStatus.of("1.0", new EngineStatus("epoll", List.of(), List.of(), null), null, null, null,
                List.of(), l4);
        StringWriter out = new StringWriter();
        try (PrintWriter w = new PrintWriter(out)) {
            StatusCommand.print(w, API.readTree(API.writeValueAsString(s)));
        }
        return out.toString();
    }

    @Test
    void eachRealServerWithItsMacStateShareAndCounters() throws Exception {
        L4Status l4 = new L4Status(false, "2026-12-05T00:10:00Z", "nft: Error: Could not process rule", List.of(
                new L4Status.Listener("bulk", "dsr", "192.0.2.10:104", "eth0", "archive", "client", true, List.of(
                        new L4Status.Backend("arch1", "archive/arch1", "192.0.2.21:104", "02:00:00:00:00:21", "forwarding", "",
                                4096, 1234, 567890),
                        new L4Status.Backend("arch2", "archive/arch2", "192.0.2.22:104", null, "down",
                                "no MAC address for 192.0.2.22 on eth0 (ARP unanswered)", 0, 0, 0)))));
        String text = printed(l4);
        assertThat(text).contains("kernel listeners (nftables), rules applied 2026-12-05T00:10:00Z; LAST CHANGE FAILED: nft: Error:"
                + " Could not process rule");
        assertThat(text).contains("dsr bulk 192.0.2.10:104 on eth0 -> pool archive  (backends see the client's address)  serving: yes");
        assertThat(text.lines().filter(l -> l.contains("arch1")).findFirst().orElseThrow())
                .contains("192.0.2.21:104", "02:00:00:00:00:21", "forwarding", "4096", "1234", "567890");
        assertThat(text.lines().filter(l -> l.contains("arch2")).findFirst().orElseThrow())
                .contains(" - ", "down", "no MAC address for 192.0.2.22 on eth0 (ARP unanswered)");
    }

    @Test
    void withoutKernelListenersThereIsNoSection() throws Exception {
        assertThat(printed(L4Status.NONE)).doesNotContain("kernel listeners");
        assertThat(printed(null)).doesNotContain("kernel listeners");
    }
}
