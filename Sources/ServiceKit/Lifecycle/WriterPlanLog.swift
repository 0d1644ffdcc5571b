import Logging

/// Logs where each dataset goes, one entry per store, with `dataset`, `writer` and `role`
/// (`primary` or `shadow`) metadata: under journald these are the `DATASET=`, `WRITER=` and `ROLE=`
/// fields, so `journalctl -u recio-btc-price-watchdog WRITER=postgres` shows when a daemon started
/// or reloaded with PostgreSQL among its stores.
public enum WriterPlanLog {
    /// One entry per (dataset, store) of `plans`; `event` says why (`"start"`, `"reload"`).
    public static func log(_ plans: [(dataset: String, plan: WriterFactory.Plan?)], event: String, logger: Logger) {
        for (dataset, plan) in plans {
            guard let plan else {
                logger.info("dataset not written at this stage", metadata: ["dataset": "\(dataset)", "event": "\(event)"])
                continue
            }
            for (kind, role) in [(plan.primary, "primary")] + plan.shadows.map({ ($0, "shadow") }) {
                logger.info("\(dataset) → \(kind.rawValue) (\(role))", metadata: [
                    "dataset": "\(dataset)", "writer": "\(kind.rawValue)", "role": "\(role)", "event": "\(event)",
                ])
            }
        }
    }
}
