import Testing
@testable import RelayConfig

/// Where `[admin]` puts `/health`, `/ready` and `/metrics`.
@Suite struct AdminConfigTests {
    @Test func withoutIngestHTTPTheyGetTheDefaultAddress() throws {
        let c = try RelayConfiguration.parse("[[udp]]\n  bind-address = \"127.0.0.1:0\"\n", file: "a.conf")
        #expect(c.adminListener?.bindAddress == AdminConfig.defaultAddress)
        #expect(c.adminListener?.servesWrites == false)
        #expect(!c.httpServesAdmin || c.http == nil)
    }

    @Test func kapacitorsSingleHTTPAddressServesThemToo() throws {
        let c = try RelayConfiguration.parse("[http]\n  bind-address = \"127.0.0.1:9092\"\n  auth-token = \"t\"\n", file: "a.conf")
        #expect(c.adminListener == nil)
        #expect(c.httpServesAdmin)
    }

    @Test func theirOwnAddressAndToken() throws {
        let c = try RelayConfiguration.parse("[http]\n  bind-address = \"127.0.0.1:9092\"\n[admin]\n  bind-address = \":9095\"\n  auth-token = \"m\"\n",
                                             file: "a.conf")
        #expect(c.adminListener?.bindAddress == ":9095" && c.adminListener?.authToken == "m")
        #expect(!c.httpServesAdmin)
    }

    @Test func disabledMeansNone() throws {
        let c = try RelayConfiguration.parse("[admin]\n  enabled = false\n", file: "a.conf")
        #expect(c.adminListener == nil && !c.httpServesAdmin)
    }

    @Test func aSharedAddressOrAnUnknownKeyIsAnErrorAtItsLine() {
        #expect(throws: ConfigError.self) {
            try RelayConfiguration.parse("[http]\n  bind-address = \"127.0.0.1:9092\"\n[admin]\n  bind-address = \"127.0.0.1:9092\"\n", file: "a.conf")
        }
        do {
            _ = try RelayConfiguration.parse("[admin]\n  bind = \":1\"\n", file: "a.conf")
            Issue.record("an unknown key must be refused")
        } catch {
            #expect(error.problems.first?.line == 2, "\(error)")
        }
    }
}
