import COpenSSL
import CTicketKeys
import PaddockConfig
#if canImport(Glibc)
import Glibc
#endif

/// A problem with one of `[tls]`'s files, for `paddock check` and for start-up.
public struct TLSFileProblem: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var reason: String
    /// Only worth a warning (a certificate that expires soon).
    public var isWarning: Bool

    public var description: String { "\(file): \(reason)" }
}

/// The server side of TLS for one config generation: one OpenSSL context per certificate, TLS 1.2
/// and 1.3 with Mozilla's "intermediate" ciphers, ALPN `http/1.1`, and SNI picking the certificate
/// whose names match (the first is the default). Immutable once made; a reload makes a new one, and
/// connections already open keep theirs.
public final class TLSContext: @unchecked Sendable {  // OpenSSL contexts are safe to share once set up
    /// One per certificate, in config order.
    private let contexts: [OpaquePointer]

    /// Mozilla's "intermediate" TLS 1.2 list (TLS 1.3 suites are OpenSSL's defaults, which match it).
    static let intermediateCiphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
        + "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
        + "ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"

    /// Loads every certificate and key; the first problem found is thrown, naming its file.
    public init(_ config: TLSConfig) throws(TLSFileProblem) {
        var contexts: [OpaquePointer] = []
        do {
            for certificate in config.certificates {
                contexts.append(try Self.makeContext(certificate, minVersion: config.minVersion))
            }
        } catch {
            for context in contexts { SSL_CTX_free(context) }
            throw error
        }
        self.contexts = contexts
        let me = Unmanaged.passUnretained(self).toOpaque()
        for context in contexts {
            _ = paddock_ssl_ctx_set_servername_cb(context, { ssl, _, arg in
                TLSContext.selectCertificate(ssl, Unmanaged<TLSContext>.fromOpaque(arg!).takeUnretainedValue())
            }, me)
        }
    }

    deinit {
        for context in contexts { SSL_CTX_free(context) }
    }

    /// A new server-side `SSL` on the default certificate.
    func makeSSL() -> OpaquePointer? { SSL_new(contexts[0]) }

    private static func makeContext(_ certificate: TLSConfig.Certificate, minVersion: TLSConfig.Version)
        throws(TLSFileProblem) -> OpaquePointer {
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw TLSFileProblem(file: certificate.cert, reason: "cannot make a TLS context: \(lastError())", isWarning: false)
        }
        _ = paddock_ssl_ctx_set_min_proto(context, minVersion == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION)
        _ = SSL_CTX_set_cipher_list(context, intermediateCiphers)
        _ = paddock_ssl_ctx_set_dh_auto(context)
        _ = paddock_ssl_ctx_set_options(context, paddock_ssl_hardening_options())
        _ = paddock_ssl_ctx_set_mode(context, Int(SSL_MODE_RELEASE_BUFFERS))
        if paddock_ticket_key_count_now() == 0 { _ = paddock_ticket_rotate() }
        _ = paddock_ssl_ctx_use_ticket_keys(context)
        // A ticket is good while its key is current or previous: 6 to 12 hours.
        SSL_CTX_set_timeout(context, Int(2 * ticketKeyRotationMilliseconds / 1000))
        SSL_CTX_set_alpn_select_cb(context, { _, out, outLength, offered, offeredLength, _ in
            TLSContext.selectHTTP11(out, outLength, offered, offeredLength)
        }, nil)
        guard SSL_CTX_use_certificate_chain_file(context, certificate.cert) == 1 else {
            SSL_CTX_free(context)
            throw TLSFileProblem(file: certificate.cert, reason: "not a usable PEM certificate (chain): \(lastError())", isWarning: false)
        }
        // The key is read on its own first, so that "does not parse" and "does not match" are told apart.
        let file = BIO_new_file(certificate.key, "r")
        // A passphrase callback that gives none: an encrypted key is refused, never prompted for.
        let key = file.flatMap { PEM_read_bio_PrivateKey($0, nil, { _, _, _, _ in 0 }, nil) }
        if let file { BIO_free(file) }
        guard let key else {
            SSL_CTX_free(context)
            throw TLSFileProblem(file: certificate.key, reason: "not a usable PEM private key: \(lastError())", isWarning: false)
        }
        defer { EVP_PKEY_free(key) }
        guard let leaf = SSL_CTX_get0_certificate(context), X509_check_private_key(leaf, key) == 1,
              SSL_CTX_use_PrivateKey(context, key) == 1 else {
            ERR_clear_error()
            SSL_CTX_free(context)
            throw TLSFileProblem(file: certificate.key, reason: "does not match the certificate \(certificate.cert)", isWarning: false)
        }
        if let leaf = SSL_CTX_get0_certificate(context) {
            if X509_cmp_current_time(X509_get0_notAfter(leaf)) <= 0 {
                SSL_CTX_free(context)
                throw TLSFileProblem(file: certificate.cert, reason: "the certificate has expired", isWarning: false)
            }
        }
        return context
    }

    /// How often the session-ticket key changes. A ticket stays good for two periods: made with the
    /// newest key, accepted (and renewed) under the one before.
    public static let ticketKeyRotationMilliseconds: UInt64 = 6 * 3_600_000

    /// A new session-ticket key for every context of the process; the current one becomes the previous.
    public static func rotateTicketKeys() { _ = paddock_ticket_rotate() }

    /// Problems `paddock check` reports: every file that does not load, and certificates that
    /// expire within 14 days (a warning).
    public static func check(_ config: TLSConfig) -> [TLSFileProblem] {
        var problems: [TLSFileProblem] = []
        for certificate in config.certificates {
            do {
                let context = try makeContext(certificate, minVersion: config.minVersion)
                defer { SSL_CTX_free(context) }
                if let leaf = SSL_CTX_get0_certificate(context) {
                    var soon = time(nil) + 14 * 86_400
                    if X509_cmp_time(X509_get0_notAfter(leaf), &soon) < 0 {
                        problems.append(TLSFileProblem(file: certificate.cert, reason: "the certificate expires within 14 days", isWarning: true))
                    }
                }
            } catch {
                problems.append(error)
            }
        }
        return problems
    }

    /// SNI: the first certificate whose names match (subjectAltName, or the CN of a certificate
    /// without one; a wildcard only as a whole leftmost label, as RFC 6125 allows).
    private static func selectCertificate(_ ssl: OpaquePointer?, _ me: TLSContext) -> Int32 {
        guard let ssl, let name = SSL_get_servername(ssl, Int32(TLSEXT_NAMETYPE_host_name)) else { return SSL_TLSEXT_ERR_OK }
        let length = strlen(name)
        for context in me.contexts {
            guard let leaf = SSL_CTX_get0_certificate(context) else { continue }
            if X509_check_host(leaf, name, length, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS), nil) == 1 {
                SSL_set_SSL_CTX(ssl, context)
                return SSL_TLSEXT_ERR_OK
            }
        }
        return SSL_TLSEXT_ERR_OK  // the default certificate, as nginx does
    }

    private static func selectHTTP11(_ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<UInt8>?,
                                     _ offered: UnsafePointer<UInt8>?, _ offeredLength: UInt32) -> Int32 {
        let ours: [UInt8] = [8] + Array("http/1.1".utf8)
        var index = 0
        while let offered, index < Int(offeredLength) {
            let length = Int(offered[index])
            if length == 8, index + 1 + length <= Int(offeredLength),
               (0..<8).allSatisfy({ offered[index + 1 + $0] == ours[1 + $0] }) {
                out?.pointee = offered + index + 1
                outLength?.pointee = 8
                return SSL_TLSEXT_ERR_OK
            }
            index += 1 + length
        }
        return SSL_TLSEXT_ERR_NOACK  // no ALPN: HTTP/1.1 anyway
    }

    static func lastError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "unknown error" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
