import Foundation

/// A python3 process the test starts on 127.0.0.1: an HTTP server (`http`) that records every
/// POST and answers as its plan file says (statuses in order, then `then`; a delay per request;
/// the body of a non-2xx answer), or a TCP listener (`tcp`) that records every byte it reads.
/// With a certificate and key, the HTTP server speaks TLS (python's `ssl`) and records the SNI
/// name each connection asked for. Used as the far end of the post and tcp handlers.
public final class TestReceiver {
    /// One recorded POST.
    public struct Request: Sendable {
        public var path: String
        /// The status the server answered.
        public var status: Int
        /// Header names lower-cased.
        public var headers: [String: String]
        /// The TLS server name the client sent (nil without TLS or without SNI).
        public var sni: String?
        public var body: [UInt8]
    }

    public let port: Int
    public let directory: URL
    private let process = Process()
    private var log: URL { directory.appendingPathComponent("received") }
    private var plan: URL { directory.appendingPathComponent("plan.json") }

    static let script = #"""
    import base64, json, socket, ssl, sys, threading, time
    from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
    mode, port, log, plan = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    tls = sys.argv[5:7]
    lock = threading.Lock()
    count = [0]
    def load():
        try:
            with open(plan) as f: return json.load(f)
        except Exception: return {}
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                i = count[0]; count[0] += 1
            p = load()
            st = p.get("statuses", [])
            status = st[i] if i < len(st) else p.get("then", 200)
            time.sleep(p.get("delay", 0))
            rec = {"path": self.path, "status": status, "headers": {k.lower(): v for k, v in self.headers.items()},
                   "body": base64.b64encode(body).decode(), "sni": getattr(self.connection, "sni", None)}
            with lock:
                with open(log, "a") as f: f.write(json.dumps(rec) + "\n")
            answer = (p.get("answer", "refused") if status >= 300 else "thanks!").encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        def log_message(self, *a): pass
    if mode == "http":
        s = ThreadingHTTPServer(("127.0.0.1", port), H)
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(tls[0], tls[1])
            def sni(sock, name, c): sock.sni = name
            ctx.sni_callback = sni
            s.socket = ctx.wrap_socket(s.socket, server_side=True)
        print("PORT=%d" % s.server_address[1], flush=True)
        s.serve_forever()
    else:
        ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", port)); ls.listen(16)
        print("PORT=%d" % ls.getsockname()[1], flush=True)
        def serve(c):
            while True:
                b = c.recv(65536)
                if not b: break
                with lock:
                    with open(log, "ab") as f: f.write(b)
        while True:
            c, _ = ls.accept()
            threading.Thread(target=serve, args=(c,), daemon=True).start()
    """#

    /// Starts a receiver of `mode` (`"http"` or `"tcp"`) on `port` (0: any free port); `tls`: the
    /// HTTP server's certificate and key (PEM paths) to speak TLS with.
    public init(_ mode: String, port: Int = 0, statuses: [Int] = [], then: Int = 200, delay: Double = 0, answer: String? = nil,
                tls: (cert: String, key: String)? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("receiver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let scriptURL = directory.appendingPathComponent("receiver.py")
        try Self.script.write(to: scriptURL, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [scriptURL.path, mode, String(port), directory.appendingPathComponent("received").path,
                             directory.appendingPathComponent("plan.json").path] + (tls.map { [$0.cert, $0.key] } ?? [])
        let out = Pipe()
        process.standardOutput = out
        try Self.writePlan(directory.appendingPathComponent("plan.json"), statuses: statuses, then: then, delay: delay, answer: answer)
        try process.run()
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        guard let p = line.split(separator: "\n").first(where: { $0.hasPrefix("PORT=") }).flatMap({ Int($0.dropFirst(5)) }) else {
            process.terminate()
            throw TestSupportError("the \(mode) receiver did not start: \(line)")
        }
        self.port = p
    }

    /// Replaces the answers: `statuses` for the next requests (counted from the first one the
    /// server saw), then `then`; each after `delay` seconds; `answer`: the body of a non-2xx
    /// answer (default `refused`).
    public func setPlan(statuses: [Int] = [], then: Int = 200, delay: Double = 0, answer: String? = nil) throws {
        try Self.writePlan(plan, statuses: statuses, then: then, delay: delay, answer: answer)
    }

    static func writePlan(_ url: URL, statuses: [Int], then: Int, delay: Double, answer: String? = nil) throws {
        var plan: [String: Any] = ["statuses": statuses, "then": then, "delay": delay]
        if let answer { plan["answer"] = answer }
        let json = try JSONSerialization.data(withJSONObject: plan)
        try json.write(to: url, options: .atomic)
    }

    /// The POSTs received so far, in order.
    public var requests: [Request] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Request(path: o["path"] as? String ?? "", status: o["status"] as? Int ?? 0, headers: o["headers"] as? [String: String] ?? [:],
                           sni: o["sni"] as? String, body: Array(Data(base64Encoded: o["body"] as? String ?? "") ?? Data()))
        }
    }

    /// The bytes a tcp receiver read so far.
    public var bytes: [UInt8] { Array((try? Data(contentsOf: log)) ?? Data()) }

    public func stop() {
        if process.isRunning {
            // SIGKILL: a child of the test runner may inherit SIGTERM ignored.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}

/// A port nothing listens on now (bound and released), for a receiver that starts later.
public func freeLoopbackPort() throws -> Int {
    let (fd, port) = try LoopbackClient.listenTCP(port: 0)
    close(fd)
    return port
}
