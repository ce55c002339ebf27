// swift-tools-version:6.0
// Benchmarks for alertrelay's hot paths, each printed next to its peer measured in the same run.
// A separate package so the main build stays lean.
import PackageDescription

let package = Package(
    name: "alertrelay-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "alertrelay", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "ParseBenchmark",
            dependencies: [.product(name: "LineProtocol", package: "alertrelay")]
        ),
        .executableTarget(
            name: "KafkaSendBenchmark",
            dependencies: [.product(name: "KafkaDispatch", package: "alertrelay")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
