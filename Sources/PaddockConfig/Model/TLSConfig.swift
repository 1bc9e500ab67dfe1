/// `[tls]`: listeners that speak TLS, and the certificates they present.
///
/// Invariants (after validation): `listen` is non-empty and overlaps no other listener;
/// `certificates` is non-empty (the first is the default when SNI names none of them), each with
/// an absolute or config-relative path made absolute. Whether the files parse and match is checked
/// by the TLS layer (`paddock check` runs it too), not here.
public struct TLSConfig: Sendable, Equatable {
    public struct Certificate: Sendable, Equatable {
        public var cert: String
        public var key: String

        public init(cert: String, key: String) {
            self.cert = cert
            self.key = key
        }
    }

    public enum Version: String, Sendable, Equatable, CaseIterable {
        case tls12 = "1.2"
        case tls13 = "1.3"
    }

    public var listen: [SocketAddressSpec]
    public var certificates: [Certificate]
    public var minVersion: Version
    /// The plain `[proxy]` listeners answer every request with 308 to the same URL on https.
    public var redirectHTTP: Bool
    /// Sent as `Strict-Transport-Security` on every TLS response ("" : none).
    public var hsts: String

    public init(listen: [SocketAddressSpec], certificates: [Certificate], minVersion: Version = ConfigDefaults.tlsMinVersion,
                redirectHTTP: Bool = ConfigDefaults.tlsRedirectHTTP, hsts: String = ConfigDefaults.tlsHSTS) {
        self.listen = listen
        self.certificates = certificates
        self.minVersion = minVersion
        self.redirectHTTP = redirectHTTP
        self.hsts = hsts
    }

    /// The port redirects point at: the first TLS listener's (IP listeners only; 443 by default).
    public var redirectPort: UInt16 {
        for address in listen {
            switch address {
            case let .ipv4(_, port), let .ipv6(_, port): return port
            default: continue
            }
        }
        return 443
    }
}
