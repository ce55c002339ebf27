import AlertRules
import KafkaDispatch

extension KafkaPartitioning {
    /// The producer's partitioner for what a handler file asked for.
    init(_ handler: HandlerPartitioning) {
        switch handler {
        case .random: self = .random
        case .byAlertID(let a):
            switch a {
            case .crc32: self = .byKey(.crc32)
            case .murmur2: self = .byKey(.murmur2)
            case .murmur3: self = .byKey(.murmur3)
            case .fnv1a: self = .byKey(.fnv1a)
            }
        }
    }
}
