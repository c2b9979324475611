// FutureBasisKind: the kinds of future basis a denoising model samples in (its own file: the
// training configuration names it, and the configuration's libFuzzer target compiles without the basis).

/// A linear basis for whole future windows (`FutureBasis.Kind`, `denoising.basis`).
public enum FutureBasisKind: String, Codable, Sendable, CaseIterable {
    /// The leading principal components of the training futures.
    case pca
    /// The future numbers themselves (scaled): D = H·S.
    case identity
}
