import Foundation

/// The command line shared by all daemons.
public enum ServiceCommandLine {
    /// The version every binary reports.
    public static let version = "0.1.0"

    /// Entry point for executables whose daemon has not landed yet: answers `--help` and `--version`.
    public static func placeholderMain(name: String) -> Never {
        let args = Array(CommandLine.arguments.dropFirst())
        if args.contains("--version") {
            print("\(name) \(version)")
            exit(0)
        }
        print("usage: \(name) [--help] [--version]\n(\(name) is not implemented yet)")
        exit(args.contains("--help") ? 0 : 64)
    }
}
