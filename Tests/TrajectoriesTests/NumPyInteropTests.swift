import XCTest
@testable import Trajectories

/// Checks against NumPy itself (python3 + numpy via `Process`); each test skips, saying why, when
/// NumPy is unavailable. Both sides build their arrays independently from `testArray`/`pythonValues`.
final class NumPyInteropTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        try Python.requireNumPy()
        scratch = try makeScratchDirectory()
    }

    override func tearDownWithError() throws {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
    }

    /// Shapes covering 0-d, empty, one and many axes, and first axes of 1, 2, 4 and 12 digits
    /// (NumPy's header padding depends on the first axis).
    static let shapes: [[Int]] = [[], [0], [7], [2, 3], [2, 0, 3], [3, 1, 2, 2], [1000], [123_456_789_012, 0]]

    // MARK: - .npy

    func testNPYIsByteIdenticalToNPSaveAndLoadsInNumPy() throws {
        let ours = scratch.appendingPathComponent("ours"), theirs = scratch.appendingPathComponent("theirs")
        try FileManager.default.createDirectory(at: ours, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(at: theirs, withIntermediateDirectories: false)
        var spec: [[String: Any]] = []
        for dtype in NumPyDType.allCases {
            for (index, shape) in Self.shapes.enumerated() {
                let name = "\(dtype.name)_\(index)"
                try testArray(dtype, shape: shape).write(to: ours.appendingPathComponent(name + ".npy"))
                spec.append(["name": name, "descr": dtype.descr, "shape": shape])
            }
        }
        try NumPyArray(doubles: specialDoubles, shape: [specialDoubles.count])
            .write(to: ours.appendingPathComponent("specials.npy"))

        let output = try Python.script("""
            import json, os, sys
            ours, theirs, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
            checked = 0
            for item in spec:
                expected = values(item['descr'], tuple(item['shape']))
                np.save(os.path.join(theirs, item['name'] + '.npy'), expected)
                loaded = np.load(os.path.join(ours, item['name'] + '.npy'))
                assert loaded.dtype.str == item['descr'], (item, loaded.dtype.str)
                assert loaded.shape == expected.shape, (item, loaded.shape)
                assert np.array_equal(loaded, expected), item
                checked += 1
            specials = \(pythonSpecialDoubles)
            np.save(os.path.join(theirs, 'specials.npy'), specials)
            loaded = np.load(os.path.join(ours, 'specials.npy'))
            assert loaded.tobytes() == specials.tobytes()
            print(checked + 1)
            """, [ours.path, theirs.path, try json(spec)])
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), String(spec.count + 1),
                       "NumPy loaded and checked every file we wrote")

        for name in spec.map({ $0["name"] as! String }) + ["specials"] {
            let mine = try Foundation.Data(contentsOf: ours.appendingPathComponent(name + ".npy"))
            let numpy = try Foundation.Data(contentsOf: theirs.appendingPathComponent(name + ".npy"))
            XCTAssertEqual(mine, numpy, "\(name).npy differs from np.save")
        }
    }

    func testReadsWhatNumPyWrites() throws {
        try Python.script("""
            import os, sys
            d = sys.argv[1]
            np.save(os.path.join(d, 'fortran.npy'), np.asfortranarray(values('<i8', (2, 3, 4))))
            np.save(os.path.join(d, 'fortran2d.npy'), np.asfortranarray(values('<f4', (3, 5))))
            np.save(os.path.join(d, 'big.npy'), values('<f8', (2, 3)).astype('>f8'))
            np.save(os.path.join(d, 'big_i4.npy'), values('<i4', (4,)).astype('>i4'))
            np.save(os.path.join(d, 'scalar.npy'), np.float64(2.5))
            for version in [(1, 0), (2, 0), (3, 0)]:
                with open(os.path.join(d, 'v%d.npy' % version[0]), 'wb') as f:
                    np.lib.format.write_array(f, values('<i4', (3, 2)), version=version)
            np.save(os.path.join(d, 'f2.npy'), np.zeros(3, dtype='<f2'))
            np.save(os.path.join(d, 'unicode.npy'), np.array(['abc']))
            np.save(os.path.join(d, 'structured.npy'), np.zeros(2, dtype=[('x', '<f8'), ('y', '<i4')]))
            """, [scratch.path])
        func load(_ name: String) throws -> NumPyArray {
            try NumPyArray(contentsOf: scratch.appendingPathComponent(name))
        }
        XCTAssertEqual(try load("fortran.npy"), try testArray(.int64, shape: [2, 3, 4]))
        XCTAssertEqual(try load("fortran2d.npy"), try testArray(.float32, shape: [3, 5]))
        XCTAssertEqual(try load("big.npy"), try testArray(.float64, shape: [2, 3]))
        XCTAssertEqual(try load("big_i4.npy"), try testArray(.int32, shape: [4]))
        XCTAssertEqual(try load("scalar.npy"), try NumPyArray(doubles: [2.5], shape: []))
        for version in 1...3 {
            XCTAssertEqual(try load("v\(version).npy"), try testArray(.int32, shape: [3, 2]), "version \(version).0")
        }
        let f2 = scratch.appendingPathComponent("f2.npy").path
        assertNumPyError(.unsupportedDType, [f2, "unsupported dtype '<f2'"]) { try load("f2.npy") }
        assertNumPyError(.unsupportedDType, ["unsupported dtype '<U3'"]) { try load("unicode.npy") }
        assertNumPyError(.unsupportedDType, ["structured dtypes are not supported"]) { try load("structured.npy") }
    }

    // MARK: - .npz

    func testNPZEntriesMatchNPSavezAndLoadInNumPy() throws {
        let names = ["qpos", "tau", "done", "seed", "ids", "pixels"]
        let shapes: [[Int]] = [[2, 5, 3], [2, 5, 2], [2, 5], [], [2], [2, 2, 3]]
        let dtypes: [NumPyDType] = [.float64, .float32, .bool, .int64, .int32, .uint8]
        var archive = NumPyArchive()
        for index in names.indices {
            try archive.append(testArray(dtypes[index], shape: shapes[index]), named: names[index])
        }
        try archive.append(NumPyArray(doubles: specialDoubles, shape: [specialDoubles.count]), named: "specials")
        let stored = scratch.appendingPathComponent("ours.npz")
        let deflated = scratch.appendingPathComponent("ours_c.npz")
        try archive.write(to: stored)
        try archive.write(to: deflated, compression: .deflate)
        let spec = names.indices.map { ["name": names[$0], "descr": dtypes[$0].descr, "shape": shapes[$0]] as [String: Any] }

        // np.savez itself is not deterministic (it stamps the current time and forces ZIP64 extra
        // fields), so whole files cannot match; each entry's bytes, their order and the values must.
        let output = try Python.script("""
            import json, sys, zipfile
            stored, deflated, theirs, spec = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
            arrays = {item['name']: values(item['descr'], tuple(item['shape'])) for item in spec}
            arrays['specials'] = \(pythonSpecialDoubles)
            np.savez(theirs, **arrays)
            with zipfile.ZipFile(theirs) as reference:
                for path, method in [(stored, zipfile.ZIP_STORED), (deflated, zipfile.ZIP_DEFLATED)]:
                    with zipfile.ZipFile(path) as z:
                        assert z.testzip() is None
                        assert z.namelist() == reference.namelist(), (z.namelist(), reference.namelist())
                        for info in z.infolist():
                            assert info.date_time == (1980, 1, 1, 0, 0, 0), info.date_time
                            assert info.compress_type == method, info.compress_type
                            assert z.read(info.filename) == reference.read(info.filename), info.filename
                    with np.load(path) as loaded:
                        assert loaded.files == list(arrays), loaded.files
                        for name, expected in arrays.items():
                            assert loaded[name].dtype == expected.dtype and loaded[name].shape == expected.shape
                            assert loaded[name].tobytes() == expected.tobytes(), name
            print('ok')
            """, [stored.path, deflated.path, scratch.appendingPathComponent("theirs.npz").path, try json(spec)])
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "ok")

        // And we read NumPy's own archive back to the same arrays.
        XCTAssertEqual(try NumPyArchive(contentsOf: scratch.appendingPathComponent("theirs.npz")), archive)
    }

    func testReadsNPSavezCompressed() throws {
        let url = scratch.appendingPathComponent("compressed.npz")
        try Python.script("""
            import sys
            np.savez_compressed(sys.argv[1], qpos=values('<f8', (3, 50, 7)), done=values('|b1', (3, 50)),
                                step=values('<i8', (3,)), empty=values('<f4', (0, 4)),
                                fortran=np.asfortranarray(values('<i4', (4, 6))))
            """, [url.path])
        let archive = try NumPyArchive(contentsOf: url)
        XCTAssertEqual(archive.names, ["qpos", "done", "step", "empty", "fortran"])
        XCTAssertEqual(try archive.array(named: "qpos", shape: ["B", "T", 7], requireFinite: true),
                       try testArray(.float64, shape: [3, 50, 7]))
        XCTAssertEqual(archive["done"], try testArray(.bool, shape: [3, 50]))
        XCTAssertEqual(archive["step"], try testArray(.int64, shape: [3]))
        XCTAssertEqual(archive["empty"], try testArray(.float32, shape: [0, 4]))
        XCTAssertEqual(archive["fortran"], try testArray(.int32, shape: [4, 6]))
    }

    /// The streaming writer (issue 18), with ZIP64 fields forced by a low threshold and without:
    /// NumPy loads the arrays written, Python's zipfile checks every CRC-32, and the ZIP64 archive
    /// holds the arrays of the plain one.
    func testStreamedNPZAndItsZIP64LayoutLoadInNumPy() throws {
        let names = ["qpos", "tau", "done", "seed", "ids", "pixels", "empty"]
        let shapes: [[Int]] = [[20, 5, 3], [2, 5, 2], [2, 5], [], [2], [2, 2, 3], [0, 3]]
        let dtypes: [NumPyDType] = [.float64, .float32, .bool, .int64, .int32, .uint8, .float64]
        var paths: [String] = []
        for threshold in [NPZWriter.zip64Limit, 64, 1] {
            let url = scratch.appendingPathComponent("streamed-\(threshold).npz")
            let writer = try NPZWriter(to: url, zip64Threshold: threshold)
            for index in names.indices { try writer.append(names[index], ArraySource(testArray(dtypes[index], shape: shapes[index]))) }
            try writer.finish()
            paths.append(url.path)
        }
        let spec = names.indices.map { ["name": names[$0], "descr": dtypes[$0].descr, "shape": shapes[$0]] as [String: Any] }
        let output = try Python.script("""
            import json, sys, zipfile
            spec, paths = json.loads(sys.argv[1]), sys.argv[2:]
            for path in paths:
                with zipfile.ZipFile(path) as z:
                    assert z.testzip() is None, path
                with np.load(path) as loaded:
                    assert loaded.files == [item['name'] for item in spec], loaded.files
                    for item in spec:
                        expected = values(item['descr'], tuple(item['shape']))
                        assert loaded[item['name']].dtype == expected.dtype, item
                        assert loaded[item['name']].shape == expected.shape, item
                        assert loaded[item['name']].tobytes() == expected.tobytes(), item
            print('ok')
            """, [try json(spec)] + paths)
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "ok")

        // more members than the end record's 16-bit count: the count in the ZIP64 end record
        let many = scratch.appendingPathComponent("many.npz")
        let writer = try NPZWriter(to: many)
        for i in 0..<65_536 { try writer.append("m\(i)", .int64s([Int64(i)], shape: [])) }
        try writer.finish()
        let counted = try Python.script("""
            import sys
            with np.load(sys.argv[1]) as z:
                assert z['m0'] == 0 and z['m65535'] == 65535 and z['m40000'].shape == ()
                print(len(z.files))
            """, [many.path])
        XCTAssertEqual(counted.trimmingCharacters(in: .whitespacesAndNewlines), "65536")
    }

    private func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }
}
