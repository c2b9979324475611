// example-futures: load a trained run (the --out folder of `ebm train`), take the first k states of
// a dataset's first test episode as the context and sample 8 futures of H states with the run's
// Langevin settings; prints them (original units) as JSON. Usage: example-futures RUN DATA
import EnergyModels
import Foundation
import NeuralCore
import Sampling
import Trajectories

let arguments = CommandLine.arguments
guard arguments.count == 3 else { print("usage: example-futures RUN_FOLDER DATASET_FOLDER"); exit(2) }
let run = URL(fileURLWithPath: arguments[1])
let model = try TrajectoryEnergyModel.load(from: run.appendingPathComponent("model.safetensors")).model
let langevin = try TrainingConfiguration.load(from: run.appendingPathComponent("config.json")).langevin
let data = try TrajectoryDataset(contentsOf: URL(fileURLWithPath: arguments[2]).appendingPathComponent("test.npz"))
// the context [k, S] repeated for each of 8 chains
let (chains, k) = (8, model.encoding.contextLength)
let context = (0..<k).flatMap { data.state(episode: 0, step: $0) }.map(Float.init)
let energy = try FutureEnergy(model: model, contexts: Array([[Float]](repeating: context, count: chains).joined()), chains: chains)
var noise = SeededGenerator(seed: 1)
let initial = (0..<(chains * energy.dimension)).map { _ in Double(langevin.initialScale * noise.nextGaussian()) }
// the training chains' schedule: step size, noise and per-element gradient clamp
let sampler = LangevinSampler(stepSize: Double(langevin.stepSize), noiseScale: Double(langevin.noise),
                              gradientClip: langevin.gradientClip > 0 ? Double(langevin.gradientClip) : nil)
let result = try sampler.sample(energy, initial: initial, chains: chains, stopping: StoppingRule(maxSteps: 60), seed: 1)
// futures [chains, H, S] in the dataset's units, and each chain's energy
let futures = energy.futures(result.samples).map(Double.init)
let width = futures.count / chains
let json: [String: Any] = ["context_states": k, "future_states": model.encoding.horizon, "energies": result.energies,
                           "futures": (0..<chains).map { Array(futures[$0 * width..<($0 + 1) * width]) }]
print(String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self))
