#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOSSL

/// The TLS client contexts `https://` posts use, made once per process and shared (a
/// `NIOSSLContext` is immutable and thread-safe): one that verifies the server — its chain
/// against the system trust store, and its name against the URL's host — and one for handlers
/// with `skipSSLVerification`, which checks nothing (Go's `InsecureSkipVerify`, what Kapacitor
/// 1.5's handler sets).
///
/// Kapacitor 1.5's `[[httppost]]` has no CA option: a Go program trusts the system store plus
/// what the `SSL_CERT_FILE` and `SSL_CERT_DIR` environment variables name (Go's crypto/x509 on
/// Linux), and so does this: both are read at the first `https://` post, added to the system
/// store. A file named there that cannot be read, or holds no PEM certificate, is an error for
/// every `https://` post (a dead letter with this reason), not silently the system store alone.
enum PostTLS {
    /// The verifying context, or why there is none.
    static let verifying: Result<NIOSSLContext, PostTLSError> = make(verify: true, environment: ProcessInfo.processInfo.environment)
    /// The context that accepts any certificate.
    static let insecure: Result<NIOSSLContext, PostTLSError> = make(verify: false, environment: ProcessInfo.processInfo.environment)

    static func context(verify: Bool) -> Result<NIOSSLContext, PostTLSError> { verify ? verifying : insecure }

    static func make(verify: Bool, environment: [String: String]) -> Result<NIOSSLContext, PostTLSError> {
        var c = TLSConfiguration.makeClientConfiguration()
        if verify {
            switch extraRoots(environment) {
            case .success(let roots): if !roots.isEmpty { c.additionalTrustRoots = [.certificates(roots)] }
            case .failure(let e): return .failure(e)
            }
        } else {
            c.certificateVerification = .none
        }
        do {
            return .success(try NIOSSLContext(configuration: c))
        } catch {
            return .failure(PostTLSError(reason: "cannot set up TLS for https posts: \(error)"))
        }
    }

    /// The certificates `SSL_CERT_FILE` (one PEM file) and `SSL_CERT_DIR` (directories, `:`
    /// between them; every PEM file in them) add to the system store.
    static func extraRoots(_ environment: [String: String]) -> Result<[NIOSSLCertificate], PostTLSError> {
        var roots: [NIOSSLCertificate] = []
        if let file = environment["SSL_CERT_FILE"], !file.isEmpty {
            do {
                let certs = try NIOSSLCertificate.fromPEMFile(file)
                guard !certs.isEmpty else { return .failure(PostTLSError(reason: "SSL_CERT_FILE \"\(file)\" holds no PEM certificate")) }
                roots += certs
            } catch {
                return .failure(PostTLSError(reason: "SSL_CERT_FILE \"\(file)\": cannot read its PEM certificates: \(error)"))
            }
        }
        if let dirs = environment["SSL_CERT_DIR"], !dirs.isEmpty {
            for dir in dirs.split(separator: ":").map(String.init) {
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
                    return .failure(PostTLSError(reason: "SSL_CERT_DIR \"\(dir)\" cannot be read"))
                }
                // As Go: files that are not PEM certificates are passed over.
                for name in names.sorted() {
                    roots += (try? NIOSSLCertificate.fromPEMFile(dir + "/" + name)) ?? []
                }
            }
        }
        return .success(roots)
    }
}

/// Why `https://` posts cannot be made (the TLS set-up failed).
struct PostTLSError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
