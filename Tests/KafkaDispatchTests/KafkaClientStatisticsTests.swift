import KafkaDispatch
import Testing

/// librdkafka's statistics JSON (STATISTICS.md) as the relay reads it.
@Suite struct KafkaClientStatisticsTests {
    @Test func brokersQueueAndRTTFromAReport() throws {
        let json = """
            {"name":"rdkafka#producer-1","type":"producer","msg_cnt":3,"msg_size":612,"msg_max":100000,"msg_size_max":1073741824,
             "brokers":{
               "127.0.0.1:39011/bootstrap":{"name":"127.0.0.1:39011/bootstrap","nodeid":-1,"state":"UP","txretries":9,
                                            "rtt":{"min":0,"max":0,"avg":0,"p99":0,"cnt":0}},
               "127.0.0.1:39011/1":{"name":"127.0.0.1:39011/1","nodeid":1,"state":"UP","outbuf_msg_cnt":2,"waitresp_msg_cnt":1,
                                    "txretries":4,"req_timeouts":1,"connects":2,"disconnects":1,
                                    "rtt":{"min":120,"max":2400,"avg":350,"p50":300,"p99":2300,"cnt":17}}
             },
             "topics":{}}
            """
        let s = try #require(KafkaClientStatistics(json: Array(json.utf8)))
        #expect(s.queueMessages == 3)
        #expect(s.queueBytes == 612)
        #expect(s.queueMaxBytes == 1_073_741_824)
        #expect(s.brokers.count == 1, "the bootstrap entry repeats a real broker")
        let b = try #require(s.brokers.first)
        #expect(b.name == "127.0.0.1:39011/1")
        #expect(b.state == "UP")
        #expect(b.rttAverage == 0.000350)
        #expect(b.rttP99 == 0.0023)
        #expect(b.retries == 4 && b.requestTimeouts == 1 && b.connects == 2 && b.disconnects == 1)
        #expect(b.outbufMessages == 2 && b.inFlightMessages == 1)
        #expect(KafkaClientStatistics(json: Array("not json".utf8)) == nil)
    }
}
