// OODReport+Encoding: the report as `ebm evaluate ood` writes it — ood.json's rows and ood.md's table.

import Foundation

extension OODReport {
    /// ood.json's "shifts": per shift its name, description, episodes, the shifted model's SHA-256
    /// (regenerated shifts), and per detector key the AUROC and FPR at 95% TPR of the mean and of the
    /// largest window score, the AUROC's standard error and both mean scores; where the detector had
    /// no label to read, a null AUROC and a note.
    public var rows: [[String: Any]] {
        shifts.map { shift in
            var row: [String: Any] = ["shift": shift.shift.rawValue, "description": shift.shift.summary, "episodes": shift.episodes]
            if let modelHash = shift.modelHash { row["model_sha256"] = modelHash }
            for (key, result) in zip(detectorKeys, shift.results) {
                guard let r = result else {
                    row[key] = ["auroc": NSNull(), "note": "the shifted episodes carry no goal label for this detector's model"] as [String: Any]
                    continue
                }
                row[key] = ["auroc": r.mean.auroc, "fpr_at_95_tpr": r.mean.falsePositiveRate, "auroc_standard_error": r.mean.aurocStandardError,
                            "auroc_max_window": r.maximum.auroc, "fpr_at_95_tpr_max_window": r.maximum.falsePositiveRate,
                            "mean_score_shifted": r.meanScoreShifted, "mean_score_normal": r.meanScoreNormal] as [String: Any]
            }
            return row
        }
    }

    /// ood.md: one row per shift, each detector's AUROC and FPR at 95% TPR (n/a where it scored nothing).
    public func markdown(detectorNames names: [String]) -> String {
        var md = "| shift | " + names.map { "\($0) AUROC | FPR@95" }.joined(separator: " | ") + " |\n"
        md += "|---|" + names.map { _ in "---:|---:" }.joined(separator: "|") + "|\n"
        for shift in shifts {
            let cells = shift.results.flatMap { r in r.map { [String(format: "%.3f", $0.mean.auroc), String(format: "%.3f", $0.mean.falsePositiveRate)] } ?? ["n/a", "n/a"] }
            md += "| " + ([shift.shift.summary] + cells).joined(separator: " | ") + " |\n"
        }
        return md
    }
}
