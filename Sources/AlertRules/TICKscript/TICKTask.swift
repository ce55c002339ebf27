/// A node or property call: its name, evaluated arguments and place.
protocol TICKCall {
    var name: String { get }
    var arguments: [TICKTask.Argument] { get }
    var position: TICKNode.Position { get }
}

/// An evaluated TICKscript stream task: its one chain of nodes, each node with its property calls
/// in the order written (handler properties follow the handler they belong to), and its `dbrp`
/// statements. What ``TICKEvaluator`` makes of a script and ``TICKCompiler`` turns into a rule.
struct TICKTask {
    /// An argument's value, as Kapacitor's evaluator hands it to a node's method.
    enum Value: Equatable {
        case string(String)
        /// `"name"` outside a lambda: Kapacitor passes the reference itself (and refuses it where a
        /// string is wanted).
        case reference(String)
        case int(Int64)
        case float(Double)
        /// Nanoseconds.
        case duration(Int64)
        /// The lambda's expression, with every variable replaced by its value.
        case lambda(TICKNode)
        case regex(pattern: String, literal: String)
        case bool(Bool)
        case star
        case list([Value])

        /// The value's type in a sentence ("an int").
        var kindDescription: String {
            switch self {
            case .string: return "a string"
            case .reference: return "a reference"
            case .int: return "an int"
            case .float: return "a float"
            case .duration: return "a duration"
            case .lambda: return "a lambda"
            case .regex: return "a regex"
            case .bool: return "a bool"
            case .star: return "a star"
            case .list: return "a list"
            }
        }
    }

    /// An argument with where it was written.
    struct Argument {
        var value: Value
        var position: TICKNode.Position
    }

    /// `.name(args)` on a node.
    struct Property: TICKCall {
        var name: String
        var arguments: [Argument]
        var position: TICKNode.Position
    }

    /// `|name(args)` and its properties.
    struct Node: TICKCall {
        var name: String
        var arguments: [Argument]
        var properties: [Property]
        var position: TICKNode.Position
    }

    var nodes: [Node] = []
    var dbrps: [(database: String, retentionPolicy: String)] = []
}

