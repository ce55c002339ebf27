// alertrelay's UDP ingest path for the ingest benchmark: the UDP listener (recvmmsg on its own
// reader thread, as for any sink that is not the relay's engine; 50 MiB read buffer), the
// line-protocol parser and a sink that takes everything. Runs until SIGTERM, then prints the
// number of points it accepted.
//
// usage: UDPIngestServer PORT
import Dispatch
import Glibc
import Ingest
import Logging

let port = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "8089"
/// Takes every batch (the benchmark measures the listener and the parser, not a pipeline).
final class TakeAll: PointSink {
    func offer(_ batch: PointBatch) -> Bool { true }
    func whenRoom(for points: Int, _ resume: @escaping @Sendable () -> Void) { resume() }
}
let sink = TakeAll()
var config = UDPListenerConfig()
config.bindAddress = BindAddress(host: "127.0.0.1", port: Int(port) ?? 8089)
config.readBuffer = 50 << 20
var logger = Logger(label: "bench")
logger.logLevel = .error
let listener = try await UDPListener.start(config, sink: sink, logger: logger)
print("READY granted-read-buffer=\(listener.grantedReadBuffer)")
fflush(nil)
signal(SIGTERM, SIG_IGN)
let stop = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .main)
await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
    stop.setEventHandler { done.resume() }
    stop.resume()
}
print(listener.statistics.snapshot.pointsAccepted)
fflush(nil)
exit(0)
