import LineProtocol
import Locking

/// The latest output of one `httpOut` node: one row per group, in the order the groups first
/// passed, as Kapacitor serves it at `/kapacitor/v1/tasks/<task>/<endpoint>` (its
/// `models.Result` JSON). The engine thread writes a group's row as the group's data passes; HTTP
/// requests read from their own threads, hence the lock — one uncontended lock per row written,
/// paid only by rules that have an `httpOut`. A row leaves the table with its group (its
/// ``Slot`` is freed when the group expires), so the table is as bounded as the rule's groups.
public final class HTTPOutTable: Sendable {
    /// The task (rule) ID: the first part of the path.
    public let task: String
    /// The `httpOut` node's name: the last part of the path.
    public let endpoint: String
    private let rows = Locked(Rows())

    private struct Rows: Sendable {
        var nextSlot: UInt64 = 0
        var bySlot: [UInt64: Row] = [:]
    }

    private struct Row: Sendable {
        var head: Point
        var points: [Point]
    }

    /// A group's place in a table. Owned by the group's state; freeing it removes the group's row.
    final class Slot {
        let table: HTTPOutTable
        let id: UInt64

        fileprivate init(table: HTTPOutTable, id: UInt64) {
            self.table = table
            self.id = id
        }

        deinit { table.remove(id) }
    }

    public init(task: String, endpoint: String) {
        self.task = task
        self.endpoint = endpoint
    }

    /// The URL path the table is served at.
    public var path: String { "/kapacitor/v1/tasks/\(task)/\(endpoint)" }

    /// A place for a new group, after every group made before it.
    func makeSlot() -> Slot {
        let id = rows.withLock { r in
            r.nextSlot += 1
            return r.nextSlot
        }
        return Slot(table: self, id: id)
    }

    /// The group's latest output: a point (`points` = [it]) or a batch's points under `head`'s
    /// name and tags.
    func update(_ slot: Slot, head: Point, points: [Point]) {
        rows.withLock { $0.bySlot[slot.id] = Row(head: head, points: points) }
    }

    private func remove(_ id: UInt64) {
        _ = rows.withLock { $0.bySlot.removeValue(forKey: id) }
    }

    /// Groups with a row now.
    public var count: Int { rows.withLock { $0.bySlot.count } }

    /// `json.Marshal(models.Result)`: `{"series":null}` before any data, then a row per group.
    public func json() -> String {
        let current = rows.withLock { $0.bySlot }
        guard !current.isEmpty else { return "{\"series\":null}" }
        var out = "{\"series\":["
        for (i, slot) in current.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            let row = current[slot]!
            KapacitorRowJSON.append(head: row.head, rows: row.points, to: &out)
        }
        out += "]}"
        return out
    }
}
