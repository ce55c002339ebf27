// swift-tools-version:6.0
// Benchmarks for alertrelay's hot paths, each printed next to its peer measured in the same run.
// A separate package so the main build stays lean.
import PackageDescription

let package = Package(
    name: "alertrelay-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "alertrelay", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "TemplateBenchmark",
            dependencies: [
                .product(name: "GoTemplate", package: "alertrelay"),
                .product(name: "GoDuration", package: "alertrelay"),
            ]
        ),
        .executableTarget(name: "UDPLoad"),
        .executableTarget(
            name: "UDPIngestServer",
            dependencies: [
                .product(name: "Ingest", package: "alertrelay"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "ParseBenchmark",
            dependencies: [.product(name: "LineProtocol", package: "alertrelay")]
        ),
        .executableTarget(
            name: "RuleBenchmark",
            dependencies: [
                .product(name: "AlertRules", package: "alertrelay"),
                .product(name: "LineProtocol", package: "alertrelay"),
            ]
        ),
        .executableTarget(
            name: "StateSaveBenchmark",
            dependencies: [
                .product(name: "AlertRules", package: "alertrelay"),
                .product(name: "LineProtocol", package: "alertrelay"),
            ]
        ),
        .executableTarget(
            name: "KafkaSendBenchmark",
            dependencies: [.product(name: "KafkaDispatch", package: "alertrelay")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
