// swift-tools-version:6.0
import PackageDescription

// EnergyDynamics: a C++ rigid-body simulator behind a C bridge, energy-based models of its
// rollouts, Langevin sampling and planning. Dependencies point one way:
// CSim → Simulation → (Trajectories …), CBLAS → NeuralCore, both → energy models → sampling.
let release: BuildSettingCondition = .when(configuration: .release)

let package = Package(
    name: "EnergyDynamics",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "NeuralCore", targets: ["NeuralCore"]),
        .library(name: "Trajectories", targets: ["Trajectories"]),
        .library(name: "EnergyModels", targets: ["EnergyModels"]),
        .library(name: "Sampling", targets: ["Sampling"]),
        .library(name: "Scene", targets: ["Scene"]),
        .library(name: "Viewer", targets: ["Viewer"]),
        .library(name: "Planning", targets: ["Planning"]),
        .library(name: "Scoring", targets: ["Scoring"]),
        .library(name: "Plotting", targets: ["Plotting"]),
        .executable(name: "ebm", targets: ["ebm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // MARK: - System libraries (found through pkg-config; installed by scripts/install-deps.sh)
        .systemLibrary(name: "CEigen", path: "Sources/CEigen", pkgConfig: "eigen3",
                       providers: [.apt(["libeigen3-dev"])]),
        .systemLibrary(name: "CPugiXML", path: "Sources/CPugiXML", pkgConfig: "pugixml",
                       providers: [.apt(["libpugixml-dev"])]),
        .systemLibrary(name: "CURDFDOM", path: "Sources/CURDFDOM", pkgConfig: "urdfdom",
                       providers: [.apt(["liburdfdom-dev"])]),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CGLFW", path: "Sources/CGLFW", pkgConfig: "glfw3",
                       providers: [.apt(["libglfw3-dev", "libgl-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CFreeType", path: "Sources/CFreeType", pkgConfig: "freetype2",
                       providers: [.apt(["libfreetype-dev"])]),
        // Optional: Open MPI's flags when pkg-config finds ompi-c; without it CCollective builds
        // single-process stubs (see Sources/CCollective/collective.c for why not a plain module map)
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),

        // MARK: - The simulator: C++17 + Eigen behind one C header
        .target(
            name: "CSim",
            dependencies: ["CEigen", "CPugiXML", "CURDFDOM"],
            path: "sim",
            exclude: ["robots", "tests"],
            sources: ["src"],
            publicHeadersPath: "include",
            cxxSettings: [
                .define("NDEBUG", release),
                .define("EIGEN_NO_DEBUG", release),
                .define("EIGEN_DONT_PARALLELIZE"),
            ],
            linkerSettings: [.linkedLibrary("pthread", .when(platforms: [.linux]))]
        ),
        .target(name: "Simulation", dependencies: ["CSim"], exclude: ["README.md"]),

        // MARK: - Trajectories: .npy/.npz I/O (the Simulation dependency comes later)
        .target(name: "Trajectories",
                dependencies: ["Simulation", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
                exclude: ["README.md"]),

        // MARK: - Neural-network core: float32 layers over BLAS
        // AVX2 + FMA pointwise kernels chosen at run time (the package still targets baseline x86-64)
        .target(name: "CNeuralKernels"),
        .target(name: "NeuralCore", dependencies: ["CBLAS", "CNeuralKernels"], exclude: ["README.md"]),

        // MARK: - Energy models: trajectory EBMs, contrastive divergence, replay buffer, baselines
        // CCollective: the MPI calls of data-parallel training (MPI_Allgather), or stubs without MPI
        .target(name: "CCollective", dependencies: ["CMPI"]),
        .target(name: "EnergyModels", dependencies: ["NeuralCore", "Trajectories", "CCollective"], exclude: ["README.md"]),

        // MARK: - Sampling: Langevin, MALA, HMC over any batched energy; trained models as energies
        .target(name: "Sampling", dependencies: ["EnergyModels", "NeuralCore"], exclude: ["README.md"]),

        // MARK: - Scene: model + states + samples -> drawables and a camera; no graphics dependency
        .target(name: "Scene", dependencies: ["Simulation", "Trajectories"], exclude: ["README.md"]),
        // MARK: - Plotting: RGBA images as PNG, line charts as SVG and PNG; no graphics dependency
        .target(name: "Plotting", dependencies: ["CPNG", "Trajectories"], exclude: ["README.md"]),
        // MARK: - Viewer: GLFW window + OpenGL 3.3 renderer of a Scene, PNG screenshots, FreeType HUD
        .target(name: "Viewer", dependencies: ["Scene", "Plotting", "Sampling", "Planning", "EnergyModels", "CGLFW", "CFreeType"], exclude: ["README.md"]),

        // MARK: - Planning: composable plan energies, Langevin/MALA/MPPI/CEM planners, MPC in the simulator
        .target(name: "Planning", dependencies: ["Simulation", "Trajectories", "NeuralCore", "EnergyModels", "Sampling", "Scene"],
                exclude: ["README.md"]),
        // MARK: - Scoring: energies as judges — anomaly scores, AUROC, OOD shifts, intent, composition
        .target(name: "Scoring", dependencies: ["Simulation", "Trajectories", "NeuralCore", "EnergyModels", "Sampling", "Plotting"],
                exclude: ["README.md"]),

        // MARK: - Command-line tool
        .executableTarget(
            name: "ebm",
            dependencies: [
                "Simulation", "NeuralCore", "Trajectories", "Scene", "Plotting", "Viewer", "EnergyModels", "Sampling", "Planning", "Scoring",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Examples: the first users of the public API, short enough to copy
        .executableTarget(name: "example-plan", dependencies: ["Planning", "Simulation"], path: "Examples/example-plan"),
        .executableTarget(name: "example-rollout", dependencies: ["Simulation"], path: "Examples/example-rollout"),
        .executableTarget(name: "example-futures", dependencies: ["EnergyModels", "NeuralCore", "Sampling", "Trajectories"],
                          path: "Examples/example-futures"),

        // MARK: - Tests: one target per module
        .testTarget(name: "SimulationTests", dependencies: ["Simulation"]),
        .testTarget(name: "NeuralCoreTests", dependencies: ["NeuralCore", "CNeuralKernels"]),
        .testTarget(name: "TrajectoriesTests", dependencies: ["Trajectories"]),
        .testTarget(name: "EnergyModelsTests", dependencies: ["EnergyModels", "NeuralCore", "Trajectories"]),
        .testTarget(name: "SamplingTests", dependencies: ["Sampling", "EnergyModels", "NeuralCore"]),
        .testTarget(name: "ebmTests", dependencies: ["ebm", "Simulation", "Trajectories", "Plotting", "NeuralCore", "Planning"]),
        .testTarget(name: "SceneTests", dependencies: ["Scene"]),
        .testTarget(name: "ViewerTests", dependencies: ["Viewer", "Plotting", "Planning", "Sampling", "EnergyModels", "Scene", "Simulation", "Trajectories"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting"]),
        .testTarget(name: "PlanningTests", dependencies: ["Planning", "Scene", "Sampling", "Simulation", "EnergyModels", "NeuralCore", "Trajectories"]),
        .testTarget(name: "ScoringTests", dependencies: ["Scoring", "Sampling", "Simulation", "EnergyModels", "NeuralCore", "Trajectories"]),
    ],
    swiftLanguageModes: [.v5],
    cxxLanguageStandard: .cxx17
)
