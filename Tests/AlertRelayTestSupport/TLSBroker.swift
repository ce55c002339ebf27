import Foundation

/// A Kafka-protocol broker reachable only over TLS, for tests of `use-ssl`, `ssl-ca`, `ssl-cert`,
/// `ssl-key` and `insecure-skip-verify`.
///
/// librdkafka's mock cluster has no TLS listener, so `kafka-test-broker` runs in its own network
/// namespace (`ip netns`) on 127.0.0.1:P; `socat` in that namespace exposes it on a Unix socket, and
/// `stunnel4` in ours terminates TLS on the same 127.0.0.1:P and forwards to the socket. The
/// broker's advertised address, 127.0.0.1:P, therefore leads through TLS for every client here.
/// Needs root (namespaces), `iproute2`, `socat`, `stunnel4` and `openssl`.
public final class TLSBroker: @unchecked Sendable {
    /// Why the harness cannot run here, or nil when it can (checked once: root, the tools, and a
    /// network namespace actually created and deleted).
    public static let unavailableReason: String? = {
        if getuid() != 0 { return "TLS end-to-end tests need root for `ip netns` (CI runs as root); skipped" }
        for tool in ["/usr/sbin/ip", "/usr/bin/socat", "/usr/bin/stunnel4", "/usr/bin/openssl", "/usr/bin/kcat"]
        where !FileManager.default.isExecutableFile(atPath: tool) {
            return "TLS end-to-end tests need \(tool) (scripts/install-deps.sh installs it); skipped"
        }
        let probe = "alertrelay-probe-\(getpid())"
        do {
            try run(["/usr/sbin/ip", "netns", "add", probe])
            try run(["/usr/sbin/ip", "netns", "del", probe])
        } catch {
            return "TLS end-to-end tests cannot create a network namespace here (\(error)); skipped"
        }
        return nil
    }()

    /// `127.0.0.1:P`: where clients connect (TLS).
    public let bootstrap: String
    /// Certificates and keys made for this broker.
    public let certificates: TestCertificates
    let namespace: String
    let directory: URL
    let broker: TestBroker
    let socat: Process
    private var stunnel: Process?

    /// Starts the broker in a new namespace with `topics` (`name:partitions`) and the bridge.
    public init(topics: [String]) throws {
        namespace = "alertrelay-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        certificates = try TestCertificates(in: directory)
        try Self.run(["/usr/sbin/ip", "netns", "add", namespace])
        do {
            try Self.run(["/usr/sbin/ip", "netns", "exec", namespace, "/usr/sbin/ip", "link", "set", "lo", "up"])
            broker = try TestBroker(topics: topics, launcher: ["/usr/sbin/ip", "netns", "exec", namespace])
        } catch {
            _ = try? Self.run(["/usr/sbin/ip", "netns", "del", namespace])
            throw error
        }
        bootstrap = broker.bootstrap
        let socket = directory.appendingPathComponent("broker.sock").path
        socat = Process()
        socat.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        socat.arguments = ["netns", "exec", namespace, "/usr/bin/socat", "UNIX-LISTEN:\(socket),fork,reuseaddr", "TCP:\(bootstrap)"]
        socat.standardError = FileHandle.nullDevice
        try socat.run()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socket) && Date() < deadline { usleep(20_000) }
    }

    /// (Re)starts the TLS front with `certificate`/`key` (PEM paths); with `clientCA` set, clients
    /// must present a certificate that CA signed. Returns once 127.0.0.1:P accepts connections.
    public func serve(certificate: String, key: String, clientCA: String? = nil) throws {
        stopTLS()
        var conf = """
            foreground = yes
            pid =
            debug = 4
            [kafka]
            accept = \(bootstrap)
            connect = \(directory.appendingPathComponent("broker.sock").path)
            cert = \(certificate)
            key = \(key)

            """
        if let clientCA { conf += "verifyChain = yes\nrequireCert = yes\nCAfile = \(clientCA)\n" }
        let confPath = directory.appendingPathComponent("stunnel.conf")
        try conf.write(to: confPath, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/stunnel4")
        p.arguments = [confPath.path]
        let log = directory.appendingPathComponent("stunnel.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        stunnel = p
        let port = Int(bootstrap.split(separator: ":").last ?? "") ?? 0
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let fd = try? LoopbackClient.connectTCP(port: port) {
                close(fd)
                return
            }
            if !p.isRunning { break }
            usleep(20_000)
        }
        throw TestSupportError("stunnel4 did not listen on \(bootstrap): \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// Every message of `topic`, read through TLS with the test CA.
    public func consume(_ topic: String, expecting count: Int? = nil) throws -> [ConsumedMessage] {
        try Kcat.consume(bootstrap: bootstrap, topic: topic, expecting: count,
                         properties: ["security.protocol": "ssl", "ssl.ca.location": certificates.ca])
    }

    private func stopTLS() {
        if let p = stunnel, p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        stunnel = nil
    }

    /// Stops everything and deletes the namespace.
    public func stop() {
        stopTLS()
        if let pids = try? Self.run(["/usr/sbin/ip", "netns", "pids", namespace]) {
            for pid in pids.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
        }
        if socat.isRunning { socat.waitUntilExit() }
        broker.stop()
        _ = try? Self.run(["/usr/sbin/ip", "netns", "del", namespace])
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    /// Runs a command to its end; returns its standard output, throws on a non-zero exit.
    @discardableResult
    static func run(_ command: [String]) throws -> String {
        let r = try CommandResult.run(command[0], Array(command.dropFirst()))
        guard r.status == 0 else {
            throw TestSupportError("\(command.joined(separator: " ")) exited \(r.status): \(r.stderr)")
        }
        return r.stdout
    }
}

/// Certificates made with `openssl` for one test run: a CA, a server certificate for
/// `localhost`/127.0.0.1 and one for another host (both signed by the CA), a self-signed
/// certificate, another CA, and a client certificate the CA signed. All PEM paths.
public struct TestCertificates: Sendable {
    public let ca: String
    public let otherCA: String
    public let server: (cert: String, key: String)
    public let wrongHost: (cert: String, key: String)
    public let selfSigned: (cert: String, key: String)
    public let client: (cert: String, key: String)

    /// Makes them all in `dir` with openssl (a CA, a server certificate it signed for
    /// `localhost`/127.0.0.1, one for another host, a self-signed one, a client's).
    public init(in dir: URL) throws {
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        func makeSelfSigned(_ name: String, subject: String, san: String?) throws {
            var cmd = ["/usr/bin/openssl", "req", "-x509"] + newKey + ["-keyout", path("\(name).key"), "-out", path("\(name).pem"),
                                                                     "-days", "2", "-subj", subject]
            if let san { cmd += ["-addext", "subjectAltName=\(san)"] }
            try TLSBroker.run(cmd)
        }
        func makeSigned(_ name: String, subject: String, san: String?) throws {
            try TLSBroker.run(["/usr/bin/openssl", "req"] + newKey + ["-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", subject])
            var cmd = ["/usr/bin/openssl", "x509", "-req", "-in", path("\(name).csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"),
                       "-CAcreateserial", "-out", path("\(name).pem"), "-days", "2"]
            if let san {
                try "subjectAltName=\(san)\n".write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
                cmd += ["-extfile", path("\(name).ext")]
            }
            try TLSBroker.run(cmd)
        }
        try makeSelfSigned("ca", subject: "/CN=alertrelay test CA", san: nil)
        try makeSelfSigned("other-ca", subject: "/CN=another CA", san: nil)
        try makeSigned("server", subject: "/CN=localhost", san: "DNS:localhost,IP:127.0.0.1")
        try makeSigned("wrong-host", subject: "/CN=kafka.example.org", san: "DNS:kafka.example.org")
        try makeSelfSigned("self-signed", subject: "/CN=kafka.example.org", san: "DNS:kafka.example.org")
        try makeSigned("client", subject: "/CN=alertrelay", san: nil)
        ca = path("ca.pem")
        otherCA = path("other-ca.pem")
        server = (path("server.pem"), path("server.key"))
        wrongHost = (path("wrong-host.pem"), path("wrong-host.key"))
        selfSigned = (path("self-signed.pem"), path("self-signed.key"))
        client = (path("client.pem"), path("client.key"))
    }
}
