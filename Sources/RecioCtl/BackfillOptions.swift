import ArgumentParser

/// The options every `recioctl backfill` shares: where PostgreSQL is, the reject file, the COPY
/// chunk, and how the result is shown. Each dataset names its own default reject file and chunk.
struct BackfillOptions: ParsableArguments {
    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: "Reject file for what cannot be loaded (reasons in PATH.log). Default: price_history.reject, market_snapshots.reject or account.reject.")
    var rejectFile: String?

    @Option(name: .long, help: "Records per COPY transaction. Default: per dataset (price-history 50000, snapshots 20000, account 5000).")
    var chunkSize: Int?

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    @Flag(name: .long, help: "No progress output.")
    var quiet = false

    func validate() throws {
        if let chunkSize, chunkSize <= 0 { throw ValidationError("--chunk-size must be positive") }
    }

    func rejectFile(default name: String) -> String { rejectFile ?? name }
    func chunkSize(default size: Int) -> Int { chunkSize ?? size }
}
