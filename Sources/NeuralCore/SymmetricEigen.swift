// SymmetricEigen: A = V Λ Vᵀ for a symmetric matrix, by LAPACK's divide-and-conquer dsyevd
// (OpenBLAS ships it); what a principal-component basis is computed with.

import CBLAS

/// Eigenvalues (descending) and orthonormal eigenvectors of a symmetric (n, n) matrix.
public struct SymmetricEigen: Sendable {
    /// Eigenvalues, largest first. Count n.
    public var values: [Double]
    /// Eigenvector j is row j (row-major (n, n)), matching `values[j]`.
    public var vectors: [Double]

    /// Decomposes `matrix` (n, n, row-major; only its lower triangle is read).
    /// Returns nil when LAPACK reports a failure (it never does for finite symmetric input).
    public init?(_ matrix: [Double], n: Int) {
        precondition(n > 0 && matrix.count == n * n, "SymmetricEigen: \(matrix.count) values for n = \(n)")
        guard matrix.allSatisfy(\.isFinite) else { return nil }
        // LAPACK is column-major: the row-major lower triangle is its upper triangle.
        var a = matrix, w = [Double](repeating: 0, count: n)
        var (jobz, uplo): (CChar, CChar) = (CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")))
        var (size, lda, info) = (Int32(n), Int32(n), Int32(0))
        var (lwork, liwork) = (Int32(-1), Int32(-1))
        var workQuery = 0.0, iworkQuery = Int32(0)
        dsyevd_(&jobz, &uplo, &size, &a, &lda, &w, &workQuery, &lwork, &iworkQuery, &liwork, &info)
        guard info == 0 else { return nil }
        lwork = Int32(workQuery)
        liwork = iworkQuery
        var work = [Double](repeating: 0, count: Int(lwork)), iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(&jobz, &uplo, &size, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info)
        guard info == 0 else { return nil }
        // Column j of the column-major result is row j of `a` read row-major: eigenvector j, ascending.
        values = Array(w.reversed())
        vectors = (0..<n).reversed().flatMap { j in a[(j * n)..<((j + 1) * n)] }
    }
}

/// The leading principal components of a set of rows.
public struct PrincipalComponents: Sendable {
    /// Per-column mean of the rows. Count width.
    public var mean: [Double]
    /// Component j is row j, unit length (count, width), largest variance first.
    public var components: [Double]
    /// Variance of the rows along each component. Count `count`.
    public var variances: [Double]

    /// Fits `count` components to `rows` (n, width), n ≥ 1; the covariance is formed by one BLAS
    /// syrk and decomposed by `SymmetricEigen`. Returns nil for non-finite input.
    public init?(rows: [Double], width: Int, count: Int) {
        let n = rows.count / width
        precondition(n >= 1 && rows.count == n * width && (1...width).contains(count), "PrincipalComponents: sizes")
        var mean = [Double](repeating: 0, count: width)
        for r in 0..<n { for j in 0..<width { mean[j] += rows[r * width + j] } }
        for j in 0..<width { mean[j] /= Double(n) }
        var centred = rows
        for r in 0..<n { for j in 0..<width { centred[r * width + j] -= mean[j] } }
        var covariance = [Double](repeating: 0, count: width * width)
        // lower triangle of Xᵀ X / n (row-major)
        cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, blasint(width), blasint(n), 1 / Double(n),
                    centred, blasint(width), 0, &covariance, blasint(width))
        guard let eigen = SymmetricEigen(covariance, n: width) else { return nil }
        self.mean = mean
        components = Array(eigen.vectors[0..<(count * width)])
        variances = eigen.values[0..<count].map { max($0, 0) }
    }
}
