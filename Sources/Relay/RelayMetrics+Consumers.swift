import Ingest
import KafkaDispatch
import Prometheus

/// The `[[kafka-consumer]]` sources' metrics beside the listener counters they share
/// (`alertrelay_listener_messages_total{listener="kafka-consumer:<group>@<cluster>"}`, points,
/// bytes, rejected lines): assigned partitions, and per partition the lag, the uncommitted tail
/// and the committed offset. A partition that moved away loses its series.
extension RelayMetrics {
    /// Brings the consumers' gauges up to date.
    func consumers(_ sources: [KafkaConsumerSource]) {
        var exported: Set<ScrapeSeries.Series> = []
        func partitionGauge(_ name: String, _ help: String, _ labels: [(String, String)], _ value: Int64?) {
            guard let value else { return }
            gauge(name, help, labels, Double(value))
            exported.insert(ScrapeSeries.Series(name, labels))
        }
        for source in sources {
            let consumer = [("listener", source.statistics.name)]
            let status = source.partitionStatus
            gauge("kafka_consumer_assigned_partitions", "Input partitions this relay's consumer group member holds now.", consumer, Double(status.count))
            for p in status {
                let labels = consumer + [("topic", p.partition.topic), ("partition", String(p.partition.partition))]
                partitionGauge("kafka_consumer_lag_messages", "Messages of the partition not read yet (high watermark − position).", labels, p.lag)
                partitionGauge("kafka_consumer_uncommitted_messages", "Messages read and not committed yet: what a crash reads again.", labels, p.uncommitted)
                partitionGauge("kafka_consumer_committed_offset", "The last offset committed for the partition (the next to read after a restart).",
                               labels, p.committed)
            }
            for (name, value) in source.extraTotals {
                let help = name == "kafka_consumer_commit_failures" ? "Offset commits the brokers refused (the messages are read again after a restart)."
                    : "Errors librdkafka reported for the consumer's connection (brokers down, authentication)."
                total(name, "total", help, consumer, value)
            }
        }
        // Series of partitions no longer assigned (or of consumers gone) are dropped.
        let stale = consumerPartitionSeries.withLock { last in
            defer { last = exported }
            return last.subtracting(exported)
        }
        for series in stale { removeGauge(series.name, series.labels) }
    }
}
