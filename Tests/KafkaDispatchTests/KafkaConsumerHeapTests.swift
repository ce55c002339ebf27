import Testing
@testable import KafkaDispatch

/// Group mode's malloc settings are accepted by glibc (mallopt returns 1 for each).
@Suite struct KafkaConsumerHeapTests {
    @Test func theHeapSettingsApply() {
        #if canImport(Glibc)
        #expect(KafkaConsumerHeap.tuned)
        #endif
        #expect(KafkaConsumerHeap.trimThreshold == 32 << 20 && KafkaConsumerHeap.mmapThreshold == 4 << 20)
    }
}
