import Foundation

/// Compression through the standard `zstd` tool (installed with the system packages, see
/// `scripts/install-deps`): a separate process reading and writing files, so a large legacy file
/// is compressed in bounded memory and at the tool's full speed, and an operator can always
/// decompress an archive by hand with `zstd -d`. Blocking: call it off the cooperative pool.
public enum Zstd {
    /// The file extension of the archives.
    public static let fileExtension = "zst"

    /// Compresses `input` into `output` (replaced if present), level 3 (zstd's default: fast, and
    /// about as small as xz on these row-per-second files), with a content checksum.
    public static func compress(_ input: String, to output: String) throws {
        try run(["-q", "-f", "-3", "--check", input, "-o", output], subject: input)
    }

    /// Decompresses `input` into `output` (replaced if present); the frame checksum is checked.
    public static func decompress(_ input: String, to output: String) throws {
        try run(["-q", "-f", "-d", input, "-o", output], subject: input)
    }

    static func executable() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/zstd"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw MigrationError(.toolFailed, subject: "zstd", "the zstd tool is not installed (apt-get install zstd)")
    }

    private static func run(_ arguments: [String], subject: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable())
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw MigrationError(.toolFailed, subject: subject, "cannot run zstd: \(error.localizedDescription)")
        }
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw MigrationError(.toolFailed, subject: subject,
                               "zstd \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus)): "
                                   + String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
