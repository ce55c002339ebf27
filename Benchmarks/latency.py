"""alertrelay's /metrics scrape → alerts delivered and receipt → Kafka-ack latency quantiles.

Used by run.sh and report.sh. Quantiles are interpolated inside the histogram's buckets; one beyond
the last finite bucket is `beyond`.
"""
import re


def summary(text, beyond=float("inf")):
    """Returns (delivered, quantile) where quantile(p) is in seconds."""
    buckets = sorted((float(le), float(v)) for le, v in
                     re.findall(r'alertrelay_alert_latency_seconds_bucket\{le="([^"+]+)"\} (\S+)', text))
    count = float(re.search(r'alertrelay_alert_latency_seconds_count (\S+)', text).group(1))

    def quantile(p):
        target, prev_le, prev_n = p * count, 0.0, 0.0
        for le, n in buckets:
            if n >= target:
                return prev_le + (le - prev_le) * ((target - prev_n) / (n - prev_n) if n > prev_n else 0)
            prev_le, prev_n = le, n
        return beyond

    delivered = sum(float(v) for v in re.findall(r'alertrelay_kafka_messages_delivered_total\{[^}]*\} (\S+)', text))
    return delivered, quantile
