/// What a parity run compares and how it looks for differences, the same for every dataset: the
/// window, the bucket size, and how differing buckets are searched down to rows.
public struct ParitySearch: Sendable {
    /// Window start (UTC epoch second); default: the earlier of both stores' first rows, aligned to a bucket.
    public var from: Int64?
    /// Window end, exclusive; default: just after the legacy side's last row (the legacy stops at cutover).
    public var to: Int64?
    public var bucketSeconds: Int64
    /// Ranges this short are compared row by row.
    public var leafSeconds: Int64
    /// A differing range with at most this many rows on each side is compared row by row at once:
    /// fetching a few thousand rows costs one query a side, less than another level of checksums on
    /// both sides (a 1-hour bucket of price history is 3,600 rows).
    public var leafRows = 4096
    /// Parts a differing range is split into at each level.
    public var fanOut: Int64 = 8
    /// Most differences listed per kind (all are counted).
    public var listLimit = 1000

    public init(from: Int64? = nil, to: Int64? = nil, bucketSeconds: Int64 = 3600, leafSeconds: Int64) {
        self.from = from
        self.to = to
        self.bucketSeconds = bucketSeconds
        self.leafSeconds = leafSeconds
    }
}
