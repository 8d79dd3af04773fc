package mixtral.inspector.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Which requests {@link OriginGuard} lets through, without HTTP: each allowed case beside the near miss it must
 * refuse. The server here listens on port 7070; requests arrive at 127.0.0.1 unless a test says otherwise.
 */
class OriginGuardTest {
    static final int PORT = 7070;
    final OriginGuard loopback = new OriginGuard("127.0.0.1");

    private static boolean allows(OriginGuard g, String host) {
        return g.refusal("/api/model", host, null, null, "127.0.0.1", PORT) == null;
    }

    @Test
    void theLoopbackNamesAtTheServersPortAreThisServer() {
        for (String host : new String[] {"127.0.0.1:7070", "localhost:7070", "LOCALHOST:7070", "[::1]:7070"}) {
            assertTrue(allows(loopback, host), host);
        }
    }

    @Test
    void anyOtherNameOrPortIsRefusedWithoutLookingItUp() {
        for (String host : new String[] {"evil.example:7070", "127.0.0.1:7071", "localhost", "localhost:", "127.0.0.1",
                "localhost.:7070", "127.0.0.2:7070", "[::2]:7070", "localhost:7070.evil.example", "127.000.0.1:7070",
                "user@localhost:7070", "localhost:07070", "[::1]", ""}) {
            assertFalse(allows(loopback, host), host);
        }
        assertTrue(loopback.refusal("/", null, null, null, "127.0.0.1", PORT).contains("no Host"));
    }

    @Test
    void theConfiguredHostNamesThisServerToo() {
        OriginGuard named = new OriginGuard("Inspector.LAN");
        assertTrue(allows(named, "inspector.lan:7070"));
        assertTrue(allows(named, "localhost:7070"), "loopback names stay allowed");
        assertFalse(allows(loopback, "inspector.lan:7070"), "only when configured");
        assertTrue(allows(new OriginGuard("::1"), "[::1]:7070"));
        assertTrue(allows(new OriginGuard("192.168.1.5"), "192.168.1.5:7070"));
    }

    @Test
    void withAWildcardHostTheAddressARequestArrivedAtNamesThisServer() {
        OriginGuard any = new OriginGuard("0.0.0.0");
        assertNull(any.refusal("/", "192.168.1.5:7070", null, null, "192.168.1.5", PORT));
        assertNotNull(any.refusal("/", "192.168.1.6:7070", null, null, "192.168.1.5", PORT));
        assertNotNull(any.refusal("/", "my-laptop.local:7070", null, null, "192.168.1.5", PORT), "names are not resolved");
        assertNotNull(loopback.refusal("/", "192.168.1.5:7070", null, null, "192.168.1.5", PORT), "not without wildcard");
        OriginGuard any6 = new OriginGuard("::");
        assertNull(any6.refusal("/", "[fe80::1]:7070", null, null, "fe80:0:0:0:0:0:0:1", PORT));
        assertNotNull(any6.refusal("/", "[fe80::2]:7070", null, null, "fe80:0:0:0:0:0:0:1", PORT));
    }

    @Test
    void anOriginMustBeThisServerAsTheRequestNamesIt() {
        assertNull(loopback.refusal("/api/traces", "127.0.0.1:7070", "http://127.0.0.1:7070", null, "127.0.0.1", PORT));
        assertNull(loopback.refusal("/api/traces", "localhost:7070", "http://localhost:7070", null, "127.0.0.1", PORT));
        for (String origin : new String[] {"http://evil.example", "null", "https://127.0.0.1:7070",
                "http://localhost:7070", "http://127.0.0.1:7071", "http://127.0.0.1:7070.evil.example", ""}) {
            String why = loopback.refusal("/api/traces", "127.0.0.1:7070", origin, null, "127.0.0.1", PORT);
            assertTrue(why != null && why.contains("Origin"), origin);
        }
    }

    @Test
    void requestsFromOtherSitesMayOpenThePageButNotUseTheApi() {
        assertNull(loopback.refusal("/", "127.0.0.1:7070", null, "cross-site", "127.0.0.1", PORT), "a shared link");
        for (String site : new String[] {"same-origin", "none"}) {
            assertNull(loopback.refusal("/api/model", "127.0.0.1:7070", null, site, "127.0.0.1", PORT), site);
        }
        for (String site : new String[] {"cross-site", "same-site", "Cross-Site"}) {
            assertNotNull(loopback.refusal("/api/model", "127.0.0.1:7070", null, site, "127.0.0.1", PORT), site);
        }
    }
}
