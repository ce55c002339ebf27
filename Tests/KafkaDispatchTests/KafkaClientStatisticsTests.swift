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

    /// The reader takes exactly one JSON object (RFC 8259), nested at most 64 deep.
    @Test func whatIsNotOneJSONObjectReadsAsNil() {
        let refused = ["", " ", "[]", "3", "\"s\"", "{", "{\"a\":1,}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":1e}",
                       "{\"a\":1} x", "{\"a\":1}{}", "{\"a\":\"\u{01}\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}",
                       "{\"a\":tru}", "{\"a\":[1,]}", "{\"a\":[1 2]}", "{a:1}", "{\"a\" 1}", "{\"a\":\"open}"]
        for text in refused {
            #expect(KafkaClientStatistics(json: Array(text.utf8)) == nil, "\(text)")
        }
        let nested = { (depth: Int) in String(repeating: "{\"a\":", count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1) }
        #expect(KafkaClientStatistics(json: Array(nested(64).utf8)) != nil)
        #expect(KafkaClientStatistics(json: Array(nested(65).utf8)) == nil)
        let arrays = "{\"a\":" + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "}"
        #expect(KafkaClientStatistics(json: Array(arrays.utf8)) == nil)
    }

    /// A member of another type than the relay reads is absent (0, ""); escapes are decoded; the
    /// objects and arrays it does not read are passed over whatever they hold.
    @Test func membersOfOtherTypesReadAsAbsent() throws {
        let json = """
            {"msg_cnt":"3","msg_size":true,"msg_max":null,"msg_size_max":[1,{"x":[]}],"topics":{"t":{"partitions":{"0":{"msgq_cnt":5}}}},
             "brokers":{"b":{"name":"b\\u002F1 \\ud83d\\ude00 \\\"q\\\" \\ud800","nodeid":2,"state":"UP","txretries":-4,"connects":2.9,
                             "rtt":{"avg":1.5e3,"p99":-2E+3}}}}
            """
        let s = try #require(KafkaClientStatistics(json: Array(json.utf8)))
        #expect(s.queueMessages == 0 && s.queueBytes == 0 && s.queueMaxMessages == 0 && s.queueMaxBytes == 0)
        let b = try #require(s.brokers.first)
        #expect(b.name == "b/1 \u{1F600} \"q\" \u{FFFD}")
        #expect(b.retries == 0, "a negative count reads as 0")
        #expect(b.connects == 2, "truncated toward zero")
        #expect(b.rttAverage == 0.0015 && b.rttP99 == -0.002)
    }
}
