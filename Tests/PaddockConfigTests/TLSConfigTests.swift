import Testing
@testable import PaddockConfig

@Suite struct TLSConfigTests {
    typealias F = Fixture

    @Test func tlsListenersAndCertificatesParse() throws {
        let config = try ConfigLoader.parse(F.proxy + """
            [tls]
            listen = ["127.0.0.1:8443"]
            certificates = [{ cert = "site.pem", key = "/etc/paddock/site.key" }]
            min_version = "1.3"

            """ + F.webPool + F.defaultRoute, file: "/etc/paddock/paddock.toml")
        #expect(config.tls == TLSConfig(listen: [.ipv4(host: "127.0.0.1", port: 8443)],
                                        certificates: [TLSConfig.Certificate(cert: "/etc/paddock/site.pem", key: "/etc/paddock/site.key")],
                                        minVersion: .tls13))
        #expect(config.summary.hasSuffix("listening on 127.0.0.1:8080; TLS on 127.0.0.1:8443"))
        #expect(try ConfigLoader.parse(F.minimal, file: F.file).tls == nil)
    }

    @Test func redirectAndHSTS() throws {
        let config = try ConfigLoader.parse(F.proxy + """
            [tls]
            listen = ["127.0.0.1:8443", "[::1]:9443"]
            certificates = [{ cert = "/a.pem", key = "/a.key" }]
            redirect_http = true
            hsts = "max-age=31536000; includeSubDomains"

            """ + F.webPool + F.defaultRoute, file: F.file)
        #expect(config.tls?.redirectHTTP == true && config.tls?.hsts == "max-age=31536000; includeSubDomains")
        #expect(config.tls?.redirectPort == 8443)
    }

    static let errorCases: [ErrorCase] = [
        ErrorCase("hsts with a newline", F.proxy + "[tls]\nlisten = [\"127.0.0.1:8443\"]\ncertificates = [{ cert = \"/a\", key = \"/b\" }]\nhsts = \"a\\nb\"\n" + F.webPool + F.defaultRoute,
                  #"paddock.toml: tls.hsts: "a\nb" cannot be a header value; use visible ASCII and spaces, e.g. "max-age=31536000""#),
        ErrorCase("tls listener on the proxy's address", F.proxy + "[tls]\nlisten = [\"127.0.0.1:8080\"]\ncertificates = [{ cert = \"/a\", key = \"/b\" }]\n" + F.webPool + F.defaultRoute,
                  #"paddock.toml: tls.listen[0]: "127.0.0.1:8080" is listed twice (also at proxy.listen[0])"#),
        ErrorCase("no certificates", F.proxy + "[tls]\nlisten = [\"127.0.0.1:8443\"]\n" + F.webPool + F.defaultRoute,
                  #"paddock.toml: tls.certificates: missing required key; expected one or more certificates, e.g. certificates = [{ cert = "/etc/paddock/site.pem", key = "/etc/paddock/site.key" }]"#),
        ErrorCase("certificate without key", F.proxy + "[tls]\nlisten = [\"127.0.0.1:8443\"]\ncertificates = [{ cert = \"/a\" }]\n" + F.webPool + F.defaultRoute,
                  #"paddock.toml: tls.certificates[0].key: missing required key; expected a file path such as "/etc/paddock/site.pem""#),
        ErrorCase("old version", F.proxy + "[tls]\nlisten = [\"127.0.0.1:8443\"]\ncertificates = [{ cert = \"/a\", key = \"/b\" }]\nmin_version = \"1.1\"\n" + F.webPool + F.defaultRoute,
                  #"paddock.toml: tls.min_version: TLS 1.1 is not offered (it is broken and browsers dropped it); expected "1.2" or "1.3""#),
    ]

    @Test(arguments: errorCases) func errors(_ testCase: ErrorCase) {
        #expect(Fixture.errors(testCase.toml) == testCase.expected)
    }
}
