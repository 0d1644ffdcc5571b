// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "recio-data-services",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "StorageKit", targets: ["StorageKit"]),
        .library(name: "ServiceKit", targets: ["ServiceKit"]),
        .library(name: "PriceFeed", targets: ["PriceFeed"]),
        .library(name: "FixtureServers", targets: ["FixtureServers"]),
        .library(name: "KalshiKit", targets: ["KalshiKit"]),
        .library(name: "LiveAnalysis", targets: ["LiveAnalysis"]),
        .executable(name: "btc-price-watchdog", targets: ["BTCPriceWatchdog"]),
        .executable(name: "kalshi-api-watchdog", targets: ["KalshiAPIWatchdog"]),
        .executable(name: "kalshi-historical-ingest", targets: ["KalshiHistoricalIngest"]),
        .executable(name: "live-data-analysis", targets: ["LiveDataAnalysis"]),
        .executable(name: "recioctl", targets: ["RecioCtl"]),
        .executable(name: "writer-benchmark", targets: ["WriterBenchmark"]),
        .executable(name: "migration-benchmark", targets: ["MigrationBenchmark"]),
        .executable(name: "recio-replay-server", targets: ["ReplayServer"]),
        .executable(name: "live-analysis-benchmark", targets: ["LiveAnalysisBenchmark"]),
        .executable(name: "btc-watchdog-benchmark", targets: ["BTCWatchdogBenchmark"]),
        .executable(name: "kalshi-watchdog-benchmark", targets: ["KalshiWatchdogBenchmark"]),
        .executable(name: "kalshi-ingest-benchmark", targets: ["KalshiIngestBenchmark"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.5.0"),
        // RSA-PSS request signing for Kalshi's authenticated endpoints (and its verification in the fixture server).
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
    ],
    targets: [
        // C libraries, found through pkg-config; the apt providers name the Debian -dev packages.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CSQLite3", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),

        // Leaf library: momentum, deltas, averages and volatility from the price history. No dependencies.
        .target(name: "PriceAnalytics"),
        .target(
            name: "StorageKit",
            dependencies: [
                "CLibPQ", "CSQLite3", "PriceAnalytics",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ServiceKit",
            dependencies: [
                "StorageKit", "CSystemd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The BTC price watchdog: Coinbase websocket, REST fallbacks, gap repair, per-second
        // sampling (network side, which only produces `PriceTick` values), and the daemon that
        // records them through ServiceKit's writers (Daemon/).
        .target(
            name: "PriceFeed",
            dependencies: [
                "StorageKit", "ServiceKit", "PriceAnalytics", "NetworkKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),
        // The daemons' network plumbing on SwiftNIO: one shared event loop thread, plain HTTP
        // GETs (instead of URLSession, which loaded libcurl: 3-7 MiB of RSS per daemon as measured),
        // and a client websocket that reads in batches (instead of WSClient, which offers no way
        // to pace the socket's reads).
        .target(
            name: "NetworkKit",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Scriptable local servers (websocket + generic HTTP route table) for tests and benchmarks.
        .target(
            name: "FixtureServers",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // Kalshi REST client (rate limit, retries, both wire forms), event tickers, and the market
        // watchdog daemon; the historical ingest will reuse the client.
        .target(
            name: "KalshiKit",
            dependencies: [
                "StorageKit", "ServiceKit", "NetworkKit", .product(name: "Logging", package: "swift-log"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        .executableTarget(name: "BTCPriceWatchdog", dependencies: ["PriceFeed", "ServiceKit"]),
        .executableTarget(name: "KalshiAPIWatchdog", dependencies: ["KalshiKit", "ServiceKit"]),
        .executableTarget(name: "KalshiHistoricalIngest", dependencies: ["KalshiKit", "ServiceKit"]),
        // live-data-analysis: the analysis loop, its options and the daemon; the executable only calls DaemonMain.
        .target(
            name: "LiveAnalysis",
            dependencies: ["PriceAnalytics", "StorageKit", "ServiceKit", .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(name: "LiveDataAnalysis", dependencies: ["LiveAnalysis", "ServiceKit"]),
        // recioctl's logic (backfill, parity, verify); the executable only parses arguments.
        .target(
            name: "Migration",
            dependencies: ["StorageKit", "ServiceKit", "KalshiKit", .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "RecioCtl",
            dependencies: [
                "Migration", "ServiceKit", "StorageKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "ReplayServer", dependencies: ["FixtureServers", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "WriterBenchmark",
            dependencies: ["BenchmarkSupport", "ServiceKit", "StorageKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/WriterBenchmark"
        ),
        .executableTarget(
            name: "MigrationBenchmark",
            dependencies: ["BenchmarkSupport", "Migration", "StorageKit", .product(name: "Logging", package: "swift-log"),
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/MigrationBenchmark"
        ),
        .executableTarget(
            name: "LiveAnalysisBenchmark",
            dependencies: ["LiveAnalysis", "PriceAnalytics", "StorageKit", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/LiveAnalysisBenchmark"
        ),
        // Run the real release daemons against fixture servers (on demand, not tests); each
        // expects its daemon's executable next to its own. BenchmarkSupport: /proc readings, the
        // daemon child process and its config, the result table.
        .target(name: "BenchmarkSupport", path: "Benchmarks/BenchmarkSupport"),
        .executableTarget(
            name: "BTCWatchdogBenchmark",
            dependencies: [
                "BenchmarkSupport", "FixtureServers", "PriceFeed", "StorageKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/BTCWatchdogBenchmark"
        ),
        .executableTarget(
            name: "KalshiWatchdogBenchmark",
            dependencies: [
                "BenchmarkSupport", "FixtureServers", "KalshiKit", "StorageKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/KalshiWatchdogBenchmark"
        ),
        // kalshi-historical-ingest against a fixture with 1M candlesticks + 1M trades vs raw psql \copy.
        .executableTarget(
            name: "KalshiIngestBenchmark",
            dependencies: [
                "FixtureServers", "StorageKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/KalshiIngestBenchmark"
        ),

        // A real daemon process for the lifecycle tests (signals, reload, exit codes).
        .executableTarget(name: "RecioTestDaemon", dependencies: ["ServiceKit", "StorageKit"], path: "Tests/RecioTestDaemon"),
        .target(name: "RecioTestSupport", dependencies: ["Migration", "StorageKit", .product(name: "Logging", package: "swift-log")],
                path: "Tests/RecioTestSupport"),
        .testTarget(name: "StorageKitTests", dependencies: ["StorageKit", "ServiceKit", "RecioTestSupport"]),
        .testTarget(name: "ServiceKitTests", dependencies: ["RecioTestSupport", "ServiceKit", "StorageKit"]),
        .testTarget(name: "MigrationTests", dependencies: ["RecioTestSupport", "Migration", "StorageKit", "ServiceKit"]),
        .testTarget(name: "PriceAnalyticsTests", dependencies: ["PriceAnalytics"], exclude: ["Oracle"]),
        .testTarget(name: "PriceFeedTests", dependencies: ["RecioTestSupport", "PriceFeed", "FixtureServers", "StorageKit", "ServiceKit", "PriceAnalytics",
                                                    "NetworkKit", .product(name: "NIOWebSocket", package: "swift-nio"),
                                                    .product(name: "NIOSSL", package: "swift-nio-ssl")]),
        .testTarget(name: "KalshiKitTests", dependencies: ["RecioTestSupport", "KalshiKit", "FixtureServers", "StorageKit", "ServiceKit", "NetworkKit",
                                                    .product(name: "_CryptoExtras", package: "swift-crypto")],
                    exclude: ["Contract", "Signing"]),
        // Bad input (seeded fuzzing of every decoder), verbatim strings, per-user roles, secrets and
        // file modes, and `recioctl schema check`.
        .testTarget(name: "SecurityTests",
                    dependencies: ["RecioTestSupport", "Migration", "PriceFeed", "KalshiKit", "FixtureServers", "StorageKit", "ServiceKit"]),
        .testTarget(name: "LiveAnalysisTests", dependencies: ["RecioTestSupport", "LiveAnalysis", "PriceAnalytics", "StorageKit", "ServiceKit"]),
    ],
    swiftLanguageModes: [.v6]
)
