import AlertRules
import Locking

/// Group mode's engine controls, for ``ChangelogRestorer`` (each runs on the engine thread
/// between two batches).
extension RelayPipeline {
    /// The rules' shapes, to check changelog records against.
    func changelogHeaders() async -> [String: AlertStateSnapshot.Rule] {
        await withCheckedContinuation { c in post { loop in c.resume(returning: loop.engine.changelogHeaders) } }
    }

    /// `writer` takes the partitions of `topics` (a consumer about to start).
    func registerChangelog(_ writer: StateChangelogWriter, topics: [String]) async {
        await withCheckedContinuation { c in
            post { loop in
                loop.registerChangelog(writer, topics: topics)
                c.resume()
            }
        }
    }

    /// Retires `writer` (its consumer stopped; its partitions were revoked).
    func unregisterChangelog(_ writer: StateChangelogWriter) async {
        await withCheckedContinuation { c in
            post { loop in
                loop.unregisterChangelog(writer)
                c.resume()
            }
        }
    }

    /// Restores a partition's groups; returns how many.
    func restoreOwned(_ restored: RestoredState, owner: StateOwner) async -> Int {
        await withCheckedContinuation { c in post { loop in c.resume(returning: loop.restoreOwned(restored, owner: owner)) } }
    }

    /// Drops the partitions' groups at once (lost partitions).
    func dropOwned(_ owners: [StateOwner]) async {
        await withCheckedContinuation { c in
            post { loop in
                loop.dropOwned(owners, reason: "lost")
                c.resume()
            }
        }
    }

    /// Flushes the partitions' state, waits until the changelog has it (at most `timeout`), then
    /// drops their groups. After the timeout (the broker unreachable) the groups are dropped
    /// anyway: their batches were not released, so their offsets are not committed, and the next
    /// owner replays them from the state the changelog does have.
    func releaseOwned(_ owners: [StateOwner], timeout: Duration) async {
        let settled = Locked(false)
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            @Sendable func settle(_ drop: Bool) {
                let first = settled.withLock { s in
                    defer { s = true }
                    return !s
                }
                guard first else { return }
                if drop {
                    post { loop in
                        loop.dropOwned(owners, reason: "the changelog did not acknowledge in time")
                        c.resume()
                    }
                } else {
                    c.resume()
                }
            }
            post { loop in
                loop.release(owners, stillWanted: { !settled.withLock { $0 } }) { settle(false) }
            }
            Task {
                try? await Task.sleep(for: timeout)
                settle(true)
            }
        }
    }
}
