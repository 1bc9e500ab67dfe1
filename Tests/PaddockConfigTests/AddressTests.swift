import Testing
@testable import PaddockConfig

@Suite struct AddressTests {
    @Test(arguments: [
        ("127.0.0.1:8001", SocketAddressSpec.ipv4(host: "127.0.0.1", port: 8001), "127.0.0.1:8001"),
        ("0.0.0.0:80", .ipv4(host: "0.0.0.0", port: 80), "0.0.0.0:80"),
        ("255.255.255.255:65535", .ipv4(host: "255.255.255.255", port: 65535), "255.255.255.255:65535"),
        ("localhost:80", .ipv4(host: "127.0.0.1", port: 80), "127.0.0.1:80"),
        ("[::1]:80", .ipv6(host: "::1", port: 80), "[::1]:80"),
        ("[::]:8080", .ipv6(host: "::", port: 8080), "[::]:8080"),
        ("[0:0:0:0:0:0:0:1]:80", .ipv6(host: "::1", port: 80), "[::1]:80"),
        ("[FE80::1]:1", .ipv6(host: "fe80::1", port: 1), "[fe80::1]:1"),
        ("unix:/run/api.sock", .unix(path: "/run/api.sock"), "unix:/run/api.sock"),
    ])
    func validAddresses(text: String, expected: SocketAddressSpec, description: String) {
        #expect(SocketAddressSpec.parse(text) == expected)
        #expect(expected.description == description)
        #expect(SocketAddressSpec.parse(description) == expected, "description round-trips")
    }

    @Test(arguments: [
        ("127.0.0.1", #"missing ":port""#),
        ("1.2.3.4:0", "port 0 is out of range 1-65535"),
        ("1.2.3.256:80", #""1.2.3.256" is not a valid IPv4 address"#),
        ("01.2.3.4:80", #""01.2.3.4" is not a valid IPv4 address"#),
        ("1.2.3:80", #""1.2.3" is not a valid IPv4 address"#),
        ("[::1]", #"missing ":port""#),
        ("[::1]80", #"expected ":port" after "]""#),
        ("[::1", #"missing "]""#),
        ("[1.2.3.4]:80", #""1.2.3.4" is not a valid IPv6 address"#),
        ("[fe80::1%eth0]:80", #""fe80::1%eth0" is not a valid IPv6 address"#),
        ("::1:80", #"IPv6 addresses must be in brackets, e.g. "[::1]:8080""#),
        ("unix:", "empty unix socket path"),
        ("unix:rel", "unix socket path must be absolute"),
        ("unix:/" + String(repeating: "a", count: 107), "unix socket path is longer than 107 bytes"),
        ("localhost:80x", #""80x" is not a port number"#),
        ("host:99999", "port 99999 is out of range 1-65535"),
        ("host:80", #"host names other than "localhost" are not supported; use an IP address"#),
        (":80", "missing host"),
        ("1.2.3.4:", "missing port number"),
        ("1.2.3.4:-1", #""-1" is not a port number"#),
        ("", "empty"),
    ])
    func invalidAddresses(text: String, reason: String) {
        #expect(SocketAddressSpec.parse(text) == nil)
        #expect(AddressParser.parse(text) == .failure(AddressParser.Failure(reason: reason)))
    }

    @Test func longestUnixPathIsAccepted() {
        let path = "/" + String(repeating: "a", count: 106)
        #expect(SocketAddressSpec.parse("unix:" + path) == .unix(path: path))
    }

    @Test func portAndWildcard() {
        #expect(SocketAddressSpec.parse("0.0.0.0:1")?.isWildcard == true)
        #expect(SocketAddressSpec.parse("[::]:1")?.isWildcard == true)
        #expect(SocketAddressSpec.parse("127.0.0.1:1")?.isWildcard == false)
        #expect(SocketAddressSpec.parse("[::1]:7")?.port == 7)
        #expect(SocketAddressSpec.parse("unix:/x")?.port == nil)
    }

    @Test(arguments: [
        ("API.Example.com", "api.example.com"), ("api.example.com:8080", "api.example.com"),
        ("[::1]:8080", "[::1]"), ("[::1]", "[::1]"), ("under_score-1.local", "under_score-1.local"),
    ])
    func routeHostsAreNormalized(text: String, expected: String) {
        #expect(HostName.normalize(text) == expected)
    }

    @Test(arguments: ["", ":80", "a b", "a.example:", "a.example:http", "[::1", "[nope]", "héllo.example", "a:1:2"])
    func invalidRouteHosts(text: String) {
        #expect(HostName.normalize(text) == nil)
    }
}
