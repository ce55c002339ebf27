import LineProtocol

/// Kapacitor's `httpOut(name)` inside a chain: passes every point on unchanged and keeps each
/// group's latest one in its ``HTTPOutTable``, which the relay serves over HTTP.
public struct HTTPOutStep: RuleStep {
    public let table: HTTPOutTable

    public init(table: HTTPOutTable) { self.table = table }

    public var description: String { "httpOut('\(table.endpoint)')" }

    public func makeGroupState(groupTags: [Tag]) -> any StepGroupState { State(slot: table.makeSlot()) }

    final class State: StepGroupState {
        let slot: HTTPOutTable.Slot
        init(slot: HTTPOutTable.Slot) { self.slot = slot }

        func process(_ point: Point, _ output: inout StepOutput) {
            slot.table.update(slot, head: point, points: [point])
            output.emit(point)
        }
    }
}
