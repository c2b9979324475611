import Foundation
import XCTest
@testable import Trajectories

/// Issue 18: outputs never replace inputs, dataset folders appear whole, recipe sizes are bounded.
final class OutputPathTests: XCTestCase {
    var scratch: URL!
    override func setUpWithError() throws { scratch = try makeScratchDirectory() }
    override func tearDownWithError() throws { if let scratch { try? FileManager.default.removeItem(at: scratch) } }

    func file(_ name: String, in folder: URL? = nil) throws -> String {
        let url = (folder ?? scratch).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: url)
        return url.path
    }

    func testAnOutputThatIsAnInputIsRefusedUnderAnySpelling() throws {
        let run = scratch.appendingPathComponent("run")
        let model = try file("run/model.safetensors")
        try file("run/config.json")
        assertThrows(["--out refused", "it is the input"]) { try OutputPath.check(model, inputs: [model]) }
        // through `..` and `.`, and relative to the working directory
        let twisted = run.path + "/../run/./model.safetensors"
        assertThrows(["it is the input"]) { try OutputPath.check(twisted, inputs: [run.path + "/model.safetensors"]) }
        // beside an input file in a run folder: a file of that run
        assertThrows(["inside the input folder"]) { try OutputPath.check(run.path + "/pred.npz", inputs: [model]) }
        // inside an input folder given as a folder, even when it does not exist yet
        assertThrows(["inside the input folder"]) { try OutputPath.check(run.path + "/new/pred.npz", inputs: [run.path]) }
        // through a symbolic link to the input folder
        let link = scratch.appendingPathComponent("alias")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: run)
        assertThrows(["it is the input"]) { try OutputPath.check(link.path + "/model.safetensors", inputs: [model]) }
        // a folder output holding an input
        assertThrows(["the folder holds the input"]) { try OutputPath.check(scratch.path, kind: .folder, inputs: [model]) }
        // elsewhere is fine; missing inputs are skipped
        XCTAssertNoThrow(try OutputPath.check(scratch.appendingPathComponent("out/pred.npz").path, inputs: [model, nil, "/no/such"]))
    }

    func testDatasetFolderFilesAreInputsWhenOneSplitIsGiven() throws {
        let data = scratch.appendingPathComponent("ds")
        let test = try file("ds/test.npz")
        try file("ds/train.npz"); try file("ds/meta.json")
        assertThrows(["inside the input folder"]) { try OutputPath.check(data.path + "/train.npz", inputs: [test]) }
        assertThrows(["inside the input folder"]) { try OutputPath.check(data.path + "/meta.npz", inputs: [data.path]) }
        // a loose .npz in an ordinary folder only protects itself
        let loose = try file("loose/a.npz")
        XCTAssertNoThrow(try OutputPath.check(scratch.path + "/loose/b.npz", inputs: [loose]))
        // and a plain folder given as an input (one holding datasets, say) protects only itself
        XCTAssertNoThrow(try OutputPath.check(scratch.path + "/score.npz", inputs: [scratch.path]))
        assertThrows(["it is the input"]) { try OutputPath.check(scratch.path, kind: .folder, inputs: [scratch.path]) }
    }

    /// Before issue 18 unwritable outputs gave raw `NSCocoaErrorDomain Code=512` dumps.
    func testAFolderThatCannotBeCreatedIsSaidInWords() throws {
        let file = try self.file("plain")
        assertThrows(["cannot create the folder", "plain/sub"]) { try AtomicFile.createDirectory(URL(fileURLWithPath: file + "/sub")) }
        do { try AtomicFile.createDirectory(URL(fileURLWithPath: file + "/sub")) } catch {
            XCTAssertFalse("\(error)".contains("NSCocoaErrorDomain"), "\(error)")
            XCTAssertFalse("\(error)".contains("Code="), "\(error)")
        }
    }

    func testLinksFIFOsAndDevicesAreRefusedNotReplaced() throws {
        let target = try file("target.npz")
        let link = scratch.appendingPathComponent("link.npz")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target)
        assertThrows(["symbolic link"]) { try OutputPath.check(link.path, inputs: []) }
        let fifo = scratch.appendingPathComponent("fifo").path
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        assertThrows(["not a regular file"]) { try OutputPath.check(fifo, inputs: []) }
        assertThrows(["not a regular file"]) { try OutputPath.check("/dev/null", inputs: []) }
        assertThrows(["is a folder"]) { try OutputPath.check(scratch.path, inputs: []) }
        assertThrows(["is a file"]) { try OutputPath.check(target, kind: .folder, inputs: []) }
    }
}

final class DatasetPublishTests: XCTestCase {
    var scratch: URL!
    override func setUpWithError() throws { scratch = try makeScratchDirectory() }
    override func tearDownWithError() throws { if let scratch { try? FileManager.default.removeItem(at: scratch) } }

    func write(_ folder: URL, _ text: String) throws {
        for name in ["train.npz", "test.npz", "meta.json"] { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
    }

    func testAFailedBuildLeavesTheOldDatasetWholeAndNoPartialFolder() throws {
        let target = scratch.appendingPathComponent("ds")
        try DatasetFolder.publish(target) { try write($0, "old") }
        XCTAssertEqual(try folderBytes(target).values.map { String(decoding: $0, as: UTF8.self) }, ["old", "old", "old"])
        struct Boom: Error {}
        // fails after writing one new split: before issue 18 the new train.npz stood beside the old files
        XCTAssertThrowsError(try DatasetFolder.publish(target) { folder in
            try Data("new".utf8).write(to: folder.appendingPathComponent("train.npz"))
            throw Boom()
        })
        XCTAssertEqual(Set(try folderBytes(target).values.map { String(decoding: $0, as: UTF8.self) }), ["old"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["ds"])
        // a successful one replaces all three and keeps the shards the dataset was merged from
        try FileManager.default.createDirectory(at: target.appendingPathComponent("shards/0-of-1"), withIntermediateDirectories: true)
        try DatasetFolder.publish(target) { try write($0, "new") }
        for name in ["train.npz", "test.npz", "meta.json"] {
            XCTAssertEqual(try String(contentsOf: target.appendingPathComponent(name), encoding: .utf8), "new")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: target.appendingPathComponent("shards/0-of-1").path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["ds"])
    }

    func testAFolderOfOtherFilesIsNeverReplaced() throws {
        let target = scratch.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try Data("thesis".utf8).write(to: target.appendingPathComponent("thesis.tex"))
        assertThrows(["thesis.tex", "not part of a dataset"]) { try DatasetFolder.publish(target) { try write($0, "new") } }
        assertFileError(.writeFailed, path: target.path, ["not part of a dataset"]) { try DatasetFolder.publish(target) { try write($0, "new") } }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target.path), ["thesis.tex"])
        // a file where the dataset folder should go
        let file = scratch.appendingPathComponent("plain")
        try Data("x".utf8).write(to: file)
        assertFileError(.writeFailed, path: file.path, ["is a file; a dataset is a folder"]) { try DatasetFolder.publish(file) { try write($0, "new") } }
    }

    func testPartialFoldersOfKilledProcessesAreRemoved() throws {
        // pid 2^22 + 1 is above the largest pid Linux hands out: never alive
        let dead = scratch.appendingPathComponent(".ds.partial-4194305-abcd")
        let alive = scratch.appendingPathComponent(".ds.partial-\(getpid())-ef01")
        for url in [dead, alive] { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        try DatasetFolder.publish(scratch.appendingPathComponent("ds")) { try write($0, "x") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dead.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: alive.path))
        // a kill between the swap and carrying the shards over: the next publish brings them back
        try FileManager.default.createDirectory(at: dead.appendingPathComponent("shards/0-of-2"), withIntermediateDirectories: true)
        try DatasetFolder.publish(scratch.appendingPathComponent("ds")) { try write($0, "y") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dead.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("ds/shards/0-of-2").path))
    }

    func testGeneratingOverADatasetReplacesItWhole() throws {
        let target = scratch.appendingPathComponent("ds")
        try DatasetGenerator(recipe: recipe(tinyRecipeText(["seed": "1"]))).write(to: target, projectVersion: "test")
        let first = try folderBytes(target)
        try DatasetGenerator(recipe: recipe(tinyRecipeText(["seed": "2"]))).write(to: target, projectVersion: "test")
        let second = try folderBytes(target)
        XCTAssertEqual(second.keys.sorted(), ["meta.json", "test.npz", "train.npz"])
        for name in second.keys { XCTAssertNotEqual(first[name], second[name], name) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), ["ds"])
        XCTAssertNil(DatasetFolder.incompleteness(of: target))
        try FileManager.default.removeItem(at: target.appendingPathComponent("meta.json"))
        XCTAssertTrue(DatasetFolder.incompleteness(of: target)?.contains("no meta.json") ?? false)
    }

    func testRecipeSizesHaveUpperBounds() throws {
        assertThrows(["steps", "must be <= 1000000"]) { try recipe(tinyRecipeText(["steps": "1000000000"])) }
        assertThrows(["substeps", "must be <= 10000"]) { try recipe(tinyRecipeText(["substeps": "1000000000"])) }
        assertThrows(["episodes.train", "must be <= 100000000"]) { try recipe(tinyRecipeText(["episodes": "{\"train\": 1000000000}"])) }
        // within the bounds but beyond this machine's memory: refused up front, with the sizes
        let big = try DatasetGenerator(recipe: recipe(tinyRecipeText(["steps": "1000000", "episodes": "{\"train\": 100000000}"])))
        assertThrows(["100000000 episodes × 1000000 steps", "GB"]) {
            try big.write(to: scratch.appendingPathComponent("big"), projectVersion: "test")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.appendingPathComponent("big").path))
    }
}
