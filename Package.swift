// swift-tools-version:6.0
// alertrelay: InfluxDB line protocol in, Kapacitor-compatible Kafka alerts out.
import PackageDescription

let package = Package(
    name: "alertrelay",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "alertrelay", targets: ["alertrelay"]),
        .executable(name: "kafka-test-broker", targets: ["kafka-test-broker"]),
        .library(name: "KafkaDispatch", targets: ["KafkaDispatch"]),
        .library(name: "RelayConfig", targets: ["RelayConfig"]),
        .library(name: "TOML", targets: ["TOML"]),
        .library(name: "GoDuration", targets: ["GoDuration"]),
        .library(name: "LineProtocol", targets: ["LineProtocol"]),
        .library(name: "GoTemplate", targets: ["GoTemplate"]),
        .library(name: "Ingest", targets: ["Ingest"]),
        .library(name: "AlertRules", targets: ["AlertRules"]),
        .library(name: "Relay", targets: ["Relay"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(name: "GoDuration"),
        .target(name: "TOML"),
        .target(name: "LineProtocol"),
        .target(name: "GoTemplate", dependencies: ["GoDuration"]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .target(name: "CDatagram"),
        .target(
            name: "Ingest",
            dependencies: [
                "LineProtocol", "CZlib", "CDatagram", "Locking", "KafkaDispatch",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "AlertRules",
            dependencies: ["LineProtocol", "GoTemplate", "GoDuration", "Locking", "CYAML", "NameSuggestion"]
        ),
        .target(name: "Locking"),
        .target(name: "NameSuggestion"),
        .target(name: "KafkaDispatch", dependencies: ["CRdKafka", "GoDuration", "Locking", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "RelayConfig",
            dependencies: ["KafkaDispatch", "GoDuration", "GoTemplate", "Ingest", "LineProtocol", "NameSuggestion", "TOML"]
        ),
        .target(
            name: "Relay",
            dependencies: [
                "AlertRules", "Ingest", "KafkaDispatch", "RelayConfig", "LineProtocol", "GoTemplate", "GoDuration", "Locking", "CZlib",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "alertrelay",
            dependencies: [
                "Relay", "Locking",
                "RelayConfig", "KafkaDispatch", "GoDuration", "LineProtocol", "GoTemplate", "AlertRules",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "kafka-test-broker",
            dependencies: ["KafkaDispatch", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "GoDurationTests", dependencies: ["GoDuration"]),
        .testTarget(name: "TOMLTests", dependencies: ["TOML", "AlertRelayTestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "IngestTests",
            dependencies: [
                "Ingest", "LineProtocol", "AlertRelayTestSupport", "KafkaDispatch", "Locking",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "CLITests", dependencies: ["AlertRelayTestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["AlertRelayTestSupport"]),
        .testTarget(name: "GoTemplateTests", dependencies: ["GoTemplate", "AlertRules", "AlertRelayTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "LineProtocolTests", dependencies: ["LineProtocol", "AlertRelayTestSupport"], exclude: ["Fixtures"]),
        .target(name: "AlertRelayTestSupport", dependencies: ["Ingest", "LineProtocol", "Locking"], path: "Tests/AlertRelayTestSupport"),
        .testTarget(
            name: "KafkaDispatchTests",
            dependencies: ["KafkaDispatch", "CRdKafka", "Locking", "AlertRelayTestSupport", .product(name: "Logging", package: "swift-log")],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "AlertRulesTests", dependencies: ["AlertRules", "LineProtocol", "GoTemplate", "AlertRelayTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "RelayConfigTests", dependencies: ["RelayConfig", "KafkaDispatch", "Ingest", "LineProtocol"], exclude: ["Fixtures"]),
        .testTarget(name: "RelayTests", dependencies: ["Relay", "KafkaDispatch", "Ingest", "Locking", "GoDuration", "AlertRules", "LineProtocol", "AlertRelayTestSupport",
                                                .product(name: "Logging", package: "swift-log"),
                                                .product(name: "NIOPosix", package: "swift-nio"),
                                                .product(name: "Prometheus", package: "swift-prometheus")]),
    ],
    swiftLanguageModes: [.v6]
)
