/// The names of Go 1.19's text/template builtin functions (what the parser accepts as identifiers).
enum BuiltinNames {
    static let all: Set<String> = [
        "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf", "println",
        "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
    ]
}
