#if canImport(Glibc)
import Glibc
import RelayConfig
#endif

/// The process's own figures as Prometheus' `process_*` metrics name them, read from `/proc`
/// when `/metrics` is scraped (Linux; elsewhere nil).
struct ProcessStatistics: Sendable, Equatable {
    /// User and system CPU time, seconds.
    var cpuSeconds: Double
    var residentBytes: Int
    var openDescriptors: Int
    /// The soft open-file limit.
    var maxDescriptors: Int
    var threads: Int
    /// Seconds since the epoch.
    var startTime: Double

    /// Reads `/proc/self/stat` and `/proc/self/fd` (`/proc/stat` the first time); nil if `/proc` is not there.
    static func current() -> ProcessStatistics? {
        #if os(Linux)
        guard let stat = read("/proc/self/stat") else { return nil }
        return parse(stat: stat, bootTime: bootSeconds,
                     ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))), pageSize: sysconf(Int32(_SC_PAGESIZE)),
                     openDescriptors: countDescriptors(), maxDescriptors: softLimit())
        #else
        return nil
        #endif
    }

    /// `/proc/self/stat`'s fields after the command (which may hold spaces and parentheses, so
    /// the fields start after the last `)`): utime 14, stime 15, num_threads 20, starttime 22,
    /// rss 24 (pages), numbered as proc(5) numbers them.
    static func parse(stat: String, bootTime: Double, ticksPerSecond: Double, pageSize: Int, openDescriptors: Int,
                      maxDescriptors: Int) -> ProcessStatistics? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state).
        func field(_ n: Int) -> Double? { n - 3 < fields.count ? Double(fields[n - 3]) : nil }
        guard let utime = field(14), let stime = field(15), let threads = field(20), let start = field(22), let rss = field(24),
              ticksPerSecond > 0 else { return nil }
        return ProcessStatistics(cpuSeconds: (utime + stime) / ticksPerSecond, residentBytes: Int(rss) * pageSize,
                                 openDescriptors: openDescriptors, maxDescriptors: maxDescriptors, threads: Int(threads),
                                 startTime: bootTime + start / ticksPerSecond)
    }

    /// The boot time, read once: it does not change while the process runs, and `/proc/stat`
    /// (every CPU's times and every interrupt's count) grows with the host.
    private static let bootSeconds: Double = read("/proc/stat").flatMap(bootTime) ?? 0

    /// `btime` of `/proc/stat`: the boot time, seconds since the epoch.
    static func bootTime(_ stat: String) -> Double? {
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") { return Double(line.dropFirst(6)) }
        return nil
    }

    /// A small `/proc` file's text (they report a size of 0, so read until the end).
    private static func read(_ path: String) -> String? {
        FileDescriptorReading.readFile(path, limit: 1 << 20).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Entries of `/proc/self/fd`, less the one the listing itself holds open.
    private static func countDescriptors() -> Int {
        guard let dir = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(dir) }
        var n = 0
        while let entry = readdir(dir) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { $0.first == UInt8(ascii: ".") }
            if !isDot { n += 1 }
        }
        return max(0, n - 1)
    }

    private static func softLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        return limit.rlim_cur >= rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
    }
}
