import Logging
import RelayConfig

extension Logger {
    /// Logs each of the configuration's warnings (Kapacitor options without effect here, a listener
    /// on a broker's address) with where it is, at start and after each reload.
    func configWarnings(_ configuration: RelayConfiguration) {
        for w in configuration.warnings {
            var place = w.file
            if let line = w.line { place += ":\(line)" }
            if let column = w.column { place += ":\(column)" }
            warning("\(w.message)", metadata: ["config": .string(place)])
        }
    }
}
