/// A table while the document is read: header tables, tables made by dotted keys and arrays of
/// tables stay open to later statements, and keep what TOML's redefinition rules need to know
/// about how they were defined. Everything else (scalars, arrays, inline tables) is complete when
/// read and is kept as a ``TOMLValue``.
///
/// A class because headers and dotted keys reach into tables defined earlier; the builders live
/// only inside one ``TOMLParser`` run and never leave it.
final class TOMLTableBuilder {
    enum Entry {
        /// A complete value: nothing can be added to it, not even to an inline table or array.
        case value(TOMLValue)
        case table(TOMLTableBuilder)
        case tables(ArrayOfTables)
    }

    /// `[[name]]` elements; headers and dotted keys below it reach the last one.
    final class ArrayOfTables {
        var elements: [TOMLTableBuilder]
        let position: TOMLPosition

        init(_ first: TOMLTableBuilder, position: TOMLPosition) {
            elements = [first]
            self.position = position
        }
    }

    struct Slot {
        let key: String
        let keyPosition: TOMLPosition
        var entry: Entry
    }

    private(set) var slots: [Slot] = []
    private var indices: [String: Int] = [:]
    /// Where the table was defined (a later `[header]` of a table first made implicitly moves it there).
    var position: TOMLPosition
    /// How many tables and arrays it is nested in (the root is 0).
    let depth: Int
    /// Defined by its own `[header]` (or by `[[header]]`): no second header, no dotted keys into it.
    var definedByHeader = false
    /// The section (the statements after one header) whose dotted keys made or extended it: later
    /// sections cannot define it with a header or extend it with dotted keys.
    var dottedSection: Int?

    init(position: TOMLPosition, depth: Int) {
        self.position = position
        self.depth = depth
    }

    func slot(_ key: String) -> Slot? {
        indices[key].map { slots[$0] }
    }

    func add(_ key: String, keyPosition: TOMLPosition, _ entry: Entry) {
        indices[key] = slots.count
        slots.append(Slot(key: key, keyPosition: keyPosition, entry: entry))
    }

    /// The finished table, every nested builder finished too (depth is bounded by the parser).
    func build() -> TOMLTable {
        var table = TOMLTable(position: depth == 0 ? nil : position)
        for slot in slots {
            let value: TOMLValue
            switch slot.entry {
            case .value(let v):
                value = v
            case .table(let t):
                value = TOMLValue(t.build())
            case .tables(let array):
                value = TOMLValue(.array(array.elements.map { TOMLValue($0.build()) }), position: array.position)
            }
            table.append(slot.key, keyPosition: slot.keyPosition, value)
        }
        return table
    }
}
