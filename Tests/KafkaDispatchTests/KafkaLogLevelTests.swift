import Logging
import Testing
@testable import KafkaDispatch

/// librdkafka's log lines keep their syslog level (the facility goes in the `facility` field).
@Suite struct KafkaLogLevelTests {
    @Test(arguments: [
        (Int32(0), Logger.Level.critical), (1, .critical), (2, .critical), (3, .error), (4, .warning), (5, .notice), (6, .info), (7, .debug),
    ])
    func syslogLevels(_ syslog: Int32, _ level: Logger.Level) {
        #expect(librdkafkaLogLevel(syslog) == level)
    }
}
