import AlertRelayTestSupport
import KafkaDispatch
import Testing
@testable import Relay

/// The changelog topic's partition count against its input's, on kafka-test-broker.
@Suite struct ChangelogTopicCheckTests {
    @Test func theChangelogMustHaveTheInputsPartitionCount() throws {
        let broker = try TestBroker(topics: ["in:6", "other:3", "good-state:6", "few-state:4", "many-state:8"])
        defer { broker.stop() }
        let reader = try KafkaPartitionReader(config: StateChangelogKafkaTests.cluster(broker.bootstrap), extraProperties: StateChangelogKafkaTests.quiet)
        defer { reader.close() }
        #expect(ChangelogTopicCheck.run(reader, topic: "good-state", inputs: ["in"]) == .matches(partitions: 6))
        // Several inputs: the largest count is the one the changelog mirrors.
        #expect(ChangelogTopicCheck.run(reader, topic: "good-state", inputs: ["in", "other"]) == .matches(partitions: 6))
        #expect(ChangelogTopicCheck.run(reader, topic: "few-state", inputs: ["in"]) == .mismatch(changelog: 4, input: 6))
        #expect(ChangelogTopicCheck.run(reader, topic: "many-state", inputs: ["in"]) == .mismatch(changelog: 8, input: 6))
        // Missing: the mock cluster has no admin API, and its metadata request creates a missing
        // topic with 4 partitions (a real broker's does not for a consumer), which is then judged.
        #expect(ChangelogTopicCheck.run(reader, topic: "missing-state", inputs: ["in"]) == .mismatch(changelog: 4, input: 6))
        #expect(ChangelogTopicCheck.run(reader, topic: "missing-too-state", inputs: ["other"]) == .mismatch(changelog: 4, input: 3))
    }

    @Test func aRefusalNamesTheTopicBothCountsAndTheFix() {
        let few = ChangelogTopicCheck.refusal(topic: "g-state", changelog: 4, input: 12)
        #expect(few == "the state changelog topic g-state has 4 partitions but its input has 12 (the state of input partition p is kept in changelog partition p): add partitions to it (kafka-topics.sh --alter --topic g-state --partitions 12); its existing state stays valid, then restart the relay")
        let many = ChangelogTopicCheck.refusal(topic: "g-state", changelog: 16, input: 12)
        #expect(many.hasPrefix("the state changelog topic g-state has 16 partitions but its input has 12"))
        #expect(many.contains("delete it and create it again with 12 partitions and cleanup.policy=compact"))
    }
}
