// example-futures: load a trained run (the --out folder of `ebm train`, whichever objective trained
// it), take the first k states of a dataset's first test episode as the context and sample 8 futures
// of H states with the model's default sampler; prints them (original units) as JSON.
// Usage: example-futures RUN DATA
import EnergyModels
import Foundation
import Sampling
import Trajectories

let arguments = CommandLine.arguments
guard arguments.count == 3 else { print("usage: example-futures RUN_FOLDER DATASET_FOLDER"); exit(2) }
let model = try FutureModel.load(run: arguments[1]).model   // a run folder or a .safetensors checkpoint
let data = try TrajectoryDataset(contentsOf: URL(fileURLWithPath: arguments[2]).appendingPathComponent("test.npz"))
let (k, H) = (model.encoding.contextLength, model.encoding.horizon)
let context: [Double] = (0..<k).flatMap { Array(data.state(episode: 0, step: $0)) }
// Langevin with the training chains' settings (for a denoising model, annealed Langevin over its noise levels)
let sampler = FutureSampler(kind: .langevin)
let result = try sampler.sample(model, contexts: context, chainsPerContext: 8, total: H, seed: 1)
// futures [chains, H, S] in the dataset's units, and each chain's energy
let width = result.futures.count / 8
let json: [String: Any] = ["context_states": k, "future_states": H, "energies": result.energies,
                           "futures": (0..<8).map { Array(result.futures[$0 * width..<($0 + 1) * width]) }]
print(String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self))
