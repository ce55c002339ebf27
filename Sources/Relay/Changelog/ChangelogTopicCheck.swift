import KafkaDispatch
import Logging

/// Group mode's check of a state changelog topic against the input topics it mirrors: the state
/// of input partition p is written to changelog partition p, so the changelog must have exactly
/// as many partitions as the most partitioned input topic (Kafka Streams refuses the same way).
/// Fewer, and the higher partitions' state cannot be written (their offsets would never be
/// committed); more, and the changelog belongs to an input that was larger (recreated, or another
/// group's): its extra partitions hold stale state that a later growth of the input would restore.
///
/// A missing changelog is created (compacted, the input's partition count) through the admin API;
/// a cluster that refuses (no CreateTopics right; librdkafka's mock cluster has no admin API)
/// leaves it to the broker's auto-creation at the first write, judged at the next assignment.
enum ChangelogTopicCheck: Equatable, Sendable {
    /// The counts agree.
    case matches(partitions: Int)
    /// It was missing and is now created.
    case created(partitions: Int)
    /// It is missing and could not be created (the reason).
    case notCreated(partitions: Int, reason: String)
    /// It exists with another partition count: refused.
    case mismatch(changelog: Int, input: Int)
    /// The counts could not be read (the cluster did not answer): nothing is refused on a guess.
    case unknown(reason: String)

    /// Reads the partition counts of `inputs` and `topic` and creates `topic` when missing.
    static func run(_ reader: KafkaPartitionReader, topic: String, inputs: Set<String>, timeout: Duration = .seconds(10)) -> ChangelogTopicCheck {
        var input = 0
        do {
            for name in inputs.sorted() { input = max(input, try reader.partitionCount(topic: name, timeout: timeout) ?? 0) }
            if let existing = try reader.partitionCount(topic: topic, timeout: timeout) {
                // An input not known to the cluster yet (0) has nothing to compare with.
                return existing == input || input == 0 ? .matches(partitions: existing) : .mismatch(changelog: existing, input: input)
            }
        } catch {
            return .unknown(reason: "\(error)")
        }
        guard input > 0 else { return .unknown(reason: "the input topics \(inputs.sorted().joined(separator: ",")) have no partitions yet") }
        do {
            try reader.createTopic(topic, partitions: input, config: [("cleanup.policy", "compact")], timeout: timeout)
            return .created(partitions: input)
        } catch {
            return .notCreated(partitions: input, reason: "\(error)")
        }
    }

    /// What an operator reads for a refusal: the topic, both counts and the fix.
    static func refusal(topic: String, changelog: Int, input: Int) -> String {
        let fix = changelog < input
            ? "add partitions to it (kafka-topics.sh --alter --topic \(topic) --partitions \(input)); its existing state stays valid"
            : "delete it and create it again with \(input) partitions and cleanup.policy=compact (its alert state is lost), or use a new group-id"
        return "the state changelog topic \(topic) has \(changelog) partitions but its input has \(input) "
            + "(the state of input partition p is kept in changelog partition p): \(fix), then restart the relay"
    }

    /// Logs the outcome (an error for a refusal).
    func log(topic: String, to logger: Logger) {
        switch self {
        case .matches: break
        case .created(let n):
            logger.info("state changelog topic created", metadata: ["topic": .string(topic), "partitions": .stringConvertible(n)])
        case .notCreated(let n, let reason):
            logger.warning("cannot create the state changelog topic; create it compacted, with the input's partition count (else the broker's auto-creation makes it, and a count that differs is refused at the next assignment)",
                           metadata: ["topic": .string(topic), "partitions": .stringConvertible(n), "error": .string(reason)])
        case .mismatch(let changelog, let input):
            logger.error("refusing the assigned partitions: \(Self.refusal(topic: topic, changelog: changelog, input: input))", metadata: [
                "topic": .string(topic), "partitions": .stringConvertible(changelog), "input-partitions": .stringConvertible(input),
            ])
        case .unknown(let reason):
            logger.warning("cannot check the state changelog topic's partition count", metadata: ["topic": .string(topic), "error": .string(reason)])
        }
    }
}
