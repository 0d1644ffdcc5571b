import Foundation

/// The operator's tables for backup, archive and restore results.
public enum BundleReport {
    /// `12.3 MB`, `512 B`.
    public static func size(_ bytes: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// One progress line for a bundled file.
    static func describe(_ entry: BundleManifest.Entry) -> String {
        var parts = [entry.method.rawValue]
        if let rows = entry.rows { parts.append(rowsText(rows)) }
        if let integrity = entry.integrityCheck { parts.append("integrity \(integrity)") }
        if entry.validJSON == false { parts.append("NOT valid JSON as copied") }
        parts.append("\(size(entry.size)) → \(size(entry.archiveSize))")
        parts.append(entry.verified ? "verified" : "NOT verified")
        return parts.joined(separator: ", ")
    }

    static func rowsText(_ rows: [String: Int]) -> String {
        rows.isEmpty ? "no tables" : rows.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// A fixed-width table (the last column left unpadded).
    public static func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                if i == cells.count - 1 && !rightAligned.contains(i) { return cell }
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                return rightAligned.contains(i) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// The files of a manifest.
    public static func entries(_ manifest: BundleManifest) -> String {
        let rows = manifest.entries.map { e in
            [e.path, e.kind.rawValue, size(e.size), size(e.archiveSize), e.rows.map(rowsText) ?? "-",
             String(e.sha256.prefix(12)) + "…", e.verified ? "verified" : "NOT verified"]
        }
        return table(["FILE", "KIND", "SIZE", "ARCHIVE", "ROWS", "SHA-256", "STATUS"], rows, rightAligned: [2, 3])
            + "total: \(manifest.entries.count) file(s), \(size(manifest.totalSize)) → \(size(manifest.totalArchiveSize))\n"
    }

    /// The checks of an archive plan.
    public static func plan(_ plan: [LegacyArchiver.PlannedFile]) -> String {
        var rows: [[String]] = []
        for p in plan {
            if p.refusals.isEmpty {
                rows.append([p.file.path, p.file.kind.rawValue, size(p.size), "ok: archive, verify, then remove"])
            } else {
                for (i, reason) in p.refusals.enumerated() {
                    rows.append(i == 0 ? [p.file.path, p.file.kind.rawValue, size(p.size), "REFUSED: " + reason] : ["", "", "", "REFUSED: " + reason])
                }
            }
        }
        return table(["FILE", "KIND", "SIZE", "CHECK"], rows, rightAligned: [2])
    }

    /// `backup --list`.
    public static func list(_ bundles: [BundleFolder.Summary]) -> String {
        guard !bundles.isEmpty else { return "no backups or archives here\n" }
        let rows = bundles.map { b in
            b.problem.map { [b.manifest, "?", "", "", "", "", "UNREADABLE: \($0)"] }
                ?? [b.manifest, b.kind, b.created, String(b.files), size(b.size), size(b.archiveSize), b.verified ? "verified" : "NOT verified"]
        }
        return table(["MANIFEST", "KIND", "CREATED", "FILES", "SIZE", "ARCHIVE", "STATUS"], rows, rightAligned: [3, 4, 5])
    }

    /// The outcome of a restore.
    public static func restore(_ rows: [BundleRestorer.Row]) -> String {
        table(["FILE", "SIZE", "OUTCOME"], rows.map { [$0.path, size($0.size), $0.outcome.rawValue] }, rightAligned: [1])
    }
}
