/// How UDP and TCP listeners stop without losing what clients already sent: keep reading until
/// `done`, or until `progress` (a counter of what was read) has not moved for `quiet` while nothing
/// is `busy`, or until `limit` passes — whichever comes first.
func readUntilQuiet(limit: Duration, quiet: Duration, progress: () -> UInt64,
                    busy: () -> Bool = { false }, done: () -> Bool = { false }) async {
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    var last = progress()
    var quietSince = clock.now
    while clock.now < deadline && !done() {
        let now = progress()
        if now != last {
            last = now
            quietSince = clock.now
        } else if !busy() && clock.now - quietSince >= quiet {
            return
        }
        try? await Task.sleep(for: .milliseconds(10))
    }
}
