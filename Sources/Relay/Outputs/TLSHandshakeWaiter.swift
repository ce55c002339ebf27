import NIOCore
import NIOSSL
import NIOTLS

/// Completes `done` when the TLS handshake on its channel has finished, or fails it with the
/// handshake's error (a certificate that does not verify, a server that does not speak TLS) or
/// when the connection closes first. The post output waits on it before it writes a request, so
/// a refused certificate is reported as such at once, not as a request that got no answer.
/// Lives on the channel's event loop only; removes itself once the handshake is through.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    let done: EventLoopPromise<Void>

    init(done: EventLoopPromise<Void>) { self.done = done }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let e = event as? TLSUserEvent, case .handshakeCompleted = e {
            done.succeed(())
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        done.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.fail(HTTPExchangeError(description: "the server closed the connection during the TLS handshake"))
        context.fireChannelInactive()
    }

    /// What a failed handshake's error means, for the dead letter and the log: a certificate
    /// that does not verify says what to do about it (BoringSSL's own text, with its source
    /// path, says only CERTIFICATE_VERIFY_FAILED).
    static func describe(_ error: Error) -> String {
        let text = "\(error)"
        if text.firstRange(of: "CERTIFICATE_VERIFY_FAILED") != nil || error is NIOSSLExtraError {
            return "the server's certificate does not verify (its chain against the system trust store plus SSL_CERT_FILE/SSL_CERT_DIR, its names against the URL's host): trust its CA with SSL_CERT_FILE, or set skipSSLVerification on the handler (CERTIFICATE_VERIFY_FAILED)"
        }
        return text
    }

    /// Whether `error`, from a handshake, is one trying again cannot fix: the server's certificate
    /// did not verify (chain or host name), or TLS itself failed (no common protocol, not a TLS
    /// server). A closed or reset connection is not.
    static func isPermanent(_ error: Error) -> Bool {
        if error is NIOSSLExtraError { return true }
        if let e = error as? NIOSSLError, case .handshakeFailed = e { return true }
        return false
    }
}
