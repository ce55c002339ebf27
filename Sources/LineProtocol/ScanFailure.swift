/// Where and why a line was rejected.
struct ScanFailure: Error {
    var position: Int
    var reason: String
}
