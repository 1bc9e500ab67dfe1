import PaddockConfig
import Testing
@testable import TLS
#if canImport(Glibc)
import Glibc
#endif

/// Loading `[tls]` files: each failure names its file and the reason. (A working certificate, SNI,
/// ALPN and the protocol versions are covered end to end, against a CA the openssl CLI makes.)
@Suite struct TLSContextTests {
    static func problem(cert: String, key: String) -> TLSFileProblem? {
        do {
            _ = try TLSContext(TLSConfig(listen: [.ipv4(host: "127.0.0.1", port: 8443)],
                                         certificates: [TLSConfig.Certificate(cert: cert, key: key)]))
            return nil
        } catch {
            return error
        }
    }

    @Test func aMissingCertificateIsNamed() {
        let problem = Self.problem(cert: "/nonexistent/site.pem", key: "/nonexistent/site.key")
        #expect(problem?.file == "/nonexistent/site.pem")
        #expect(problem?.reason.hasPrefix("not a usable PEM certificate") == true)
        #expect(problem?.isWarning == false)
    }

    @Test func aFileThatIsNotPEMIsNamed() throws {
        let path = "/tmp/paddock-not-pem-\(getpid()).pem"
        let file = try #require(fopen(path, "w"))
        fputs("hello\n", file)
        fclose(file)
        defer { unlink(path) }
        #expect(Self.problem(cert: path, key: path)?.file == path)
        #expect(TLSContext.check(TLSConfig(listen: [], certificates: [TLSConfig.Certificate(cert: path, key: path)])).count == 1)
    }
}
