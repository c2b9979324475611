#!/usr/bin/env bash
# The main job, end to end on a fresh Debian machine: install what is missing, build (release),
# simulate, measure, and write the results under out/. Each capability joins here once built.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each section's wall time goes to out/main-job-times.txt (the profile behind issue 22's 8 minutes).
job_start=$(date +%s); section_start=$job_start; section_name="0. install and build"
mkdir -p out; : > out/main-job-times.txt
section() {
  local now; now=$(date +%s)
  printf '%6d s  %s\n' $((now - section_start)) "$section_name" >> out/main-job-times.txt
  section_name=$1; section_start=$now
  echo "== $1"
}
bash scripts/install-deps.sh
swift build -c release --product ebm
ebm=.build/release/ebm

section "1. Robots: the built-in MJCF models"
$ebm model list
$ebm model info reacher2

section "2. Simulate: 64 reacher2 trajectories from random starts under random controls"
python3 - <<'PY'
import numpy as np
rng = np.random.default_rng(0)
np.savez("out/reacher2-initial.npz", qpos=rng.uniform(-1, 1, (64, 2)), qvel=np.zeros((64, 2)))
np.save("out/reacher2-controls.npy", rng.uniform(-1, 1, (64, 200, 2)))
PY
$ebm simulate reacher2 --steps 200 --initial out/reacher2-initial.npz \
  --controls out/reacher2-controls.npy --out out/reacher2-rollout.npz
python3 -c "
import numpy as np
d = np.load('out/reacher2-rollout.npz')
print({k: d[k].shape for k in d.files})
print('fingertip at the end of trajectory 0:', d['sites'][0, -1, 0])"

section "2b. Contacts: the ridge ball falls to the side it starts on (benchmarks/contacts_vs_mujoco.py"
echo "   and benchmarks/constraints_vs_mujoco.py put MuJoCo beside it)"
python3 -c "
import numpy as np
np.savez('out/ridgeball-initial.npz', qpos=np.array([[0.02, 0, 0], [-0.02, 0, 0]]), qvel=np.zeros((2, 3)))"
$ebm simulate ridgeball --steps 1000 --initial out/ridgeball-initial.npz --out out/ridgeball-rollout.npz
python3 -c "
import numpy as np
q = np.load('out/ridgeball-rollout.npz')['qpos']
print('ridgeball x after 2 s from x0 = +0.02, -0.02:', q[:, -1, 0])
assert q[0, -1, 0] > 0.5 and q[1, -1, 0] < -0.5"
echo "   contact forces (what the viewer's arrows show) against MuJoCo's mj_contactForce on the contact scenes:"
python3 benchmarks/contact_forces_vs_mujoco.py --every 25 | tee out/contact-forces-vs-mujoco.txt

# 2 s (1000 steps) of FILE in MuJoCo, from its first keyframe if it has one, beside our rollout ROLLOUT.npz
# (sections 2c-2e; skipped when MuJoCo is not installed)
besideMuJoCo() {
  python3 -c "
import sys, numpy as np
try:
    import mujoco
except ImportError:
    raise SystemExit
q = np.load(sys.argv[2])['qpos'][0]
m = mujoco.MjModel.from_xml_path(sys.argv[1]); d = mujoco.MjData(m)
if m.nkey: mujoco.mj_resetDataKeyframe(m, d, 0)
for _ in range(1000): mujoco.mj_step(m, d)
print('max |qpos ours - MuJoCo| after 2 s:', np.abs(q[-1] - d.qpos).max())" "$1" "$2"
}

section "2c. Free and ball joints with a contact and a connect (issues 16/17): benchmarks/models/floating.xml,"
echo "   2 s from its keyframe, beside MuJoCo when it is installed"
$ebm simulate benchmarks/models/floating.xml --keyframe toss --steps 1000 --out out/floating-rollout.npz
python3 -c "
import numpy as np
q = np.load('out/floating-rollout.npz')['qpos'][0]
print('box z at rest', q[-1, 2], '| quaternion norms', np.linalg.norm(q[-1, 3:7]), np.linalg.norm(q[-1, 7:11]), '| rod anchor', q[-1, 11:14])
assert abs(q[-1, 2] - 0.05) < 1e-3 and np.linalg.norm(q[-1, 11:14] - [2, 0, 1]) < 1e-3"
besideMuJoCo benchmarks/models/floating.xml out/floating-rollout.npz

section "2d. Capsule–box, cylinders, an ellipsoid and parallel capsules (issue 17, MuJoCo's analytic pairs):"
echo "   benchmarks/models/primitives.xml, 2 s from rest, beside MuJoCo when it is installed"
$ebm simulate benchmarks/models/primitives.xml --steps 1000 --out out/primitives-rollout.npz
python3 -c "
import numpy as np
q = np.load('out/primitives-rollout.npz')['qpos'][0]
print('rest heights (capsule on the table, cylinder, ellipsoid, ball on the post, rod on the log):', q[-1, 2::7])
assert np.all(np.abs(q[-1, 2::7] - [0.2498, 0.1499, 0.1690, 0.2496, 0.1998]) < 1e-3)"
besideMuJoCo benchmarks/models/primitives.xml out/primitives-rollout.npz

section "2d'. Cylinder–box, ellipsoid–cylinder, capsule–cylinder, ellipsoid–mesh (issue 17, the general convex"
echo "   collider, GJK/EPA: sim/src/convex.cpp): benchmarks/models/convex.xml, 2 s from rest, beside MuJoCo"
$ebm simulate benchmarks/models/convex.xml --steps 1000 --out out/convex-rollout.npz
python3 -c "
import numpy as np
q = np.load('out/convex-rollout.npz')['qpos'][0]
print('rest heights (cylinder on the table, ellipsoid on the post, capsule on the log, ellipsoid on the mesh):', q[-1, 2::7])
assert np.all(np.abs(q[-1, 2::7] - [0.2999, 0.1148, 0.1996, 0.0934]) < 1e-3)"
besideMuJoCo benchmarks/models/convex.xml out/convex-rollout.npz

section "2d''. Meshes on the floor (issue 17, plane–mesh as MuJoCo 4.0.1: up to 4 corners of the face at the deepest"
echo "   hull vertex): benchmarks/models/convex_mesh.xml, 400-vertex rocks dropped on the floor and on a rock, 2 s"
$ebm simulate benchmarks/models/convex_mesh.xml --steps 1000 --out out/convex-mesh-rollout.npz
python3 -c "
import numpy as np
q = np.load('out/convex-mesh-rollout.npz')['qpos'][0]
print('rock2 on the floor: rest height', q[-1, 16], 'm, speed over the last 0.1 s', np.abs(q[-1, 14:17] - q[-51, 14:17]).max() / 0.1, 'm/s')
assert 0.05 < q[-1, 16] < 0.09"
besideMuJoCo benchmarks/models/convex_mesh.xml out/convex-mesh-rollout.npz

section "2d*. Adhesion actuators (issue 16): a box held under a ceiling and a finger that drags a ball; MuJoCo 4.0.1's"
echo "   trajectories regenerated (benchmarks/adhesion_vs_mujoco.py; sim/tests/adhesion_test.cpp checks ours against them)"
python3 benchmarks/adhesion_vs_mujoco.py --out out/adhesion_reference.inc --report | tail -6
cmp out/adhesion_reference.inc sim/tests/adhesion_reference.inc && echo "MuJoCo's reference regenerated byte-identical to the committed one"

section "2e. The elliptic friction cone (issue 17): benchmarks/models/elliptic_slide.xml, a box pushed at 2 m/s"
echo "   slides to rest (MuJoCo 4.0.1: x = 0.203121 m), beside MuJoCo when it is installed"
$ebm simulate benchmarks/models/elliptic_slide.xml --keyframe push --steps 1000 --out out/elliptic-rollout.npz
python3 -c "
import numpy as np
q = np.load('out/elliptic-rollout.npz')['qpos'][0]
print('elliptic cone: box stops at x =', q[-1, 0])
assert abs(q[-1, 0] - 0.203121) < 1e-5"
besideMuJoCo benchmarks/models/elliptic_slide.xml out/elliptic-rollout.npz

section "2f. Tendons, a tendon equality, a filtered position actuator and springdamper (issue 16):"
echo "   benchmarks/models/tendons.xml, 2 s from its keyframe, beside MuJoCo when it is installed"
echo "   (benchmarks/tendons_vs_mujoco.py compares more scenes)"
$ebm simulate benchmarks/models/tendons.xml --keyframe raised --steps 1000 --out out/tendons-rollout.npz
python3 -c "
import numpy as np
q = np.load('out/tendons-rollout.npz')['qpos'][0]
print('shoulder, elbow, wrist after 2 s:', q[-1])
assert np.all(np.isfinite(q))
try:
    import mujoco
except ImportError:
    raise SystemExit
m = mujoco.MjModel.from_xml_path('benchmarks/models/tendons.xml'); d = mujoco.MjData(m)
mujoco.mj_resetDataKeyframe(m, d, 0)
for _ in range(1000): mujoco.mj_step(m, d)
print('max |qpos ours - MuJoCo| after 2 s:', np.abs(q[-1] - d.qpos).max())
assert np.abs(q[-1] - d.qpos).max() < 1e-9"

section "2g. MuJoCo's implicitfast integrator, velocity servos, intvelocity, a damper, an affine gain (issue 16):"
echo "   benchmarks/models/implicit.xml, 2 s from its keyframe, beside MuJoCo when it is installed"
echo "   (sim/tests/implicit_test.cpp compares implicit and floating bodies too)"
$ebm simulate benchmarks/models/implicit.xml --keyframe swing --steps 1000 --out out/implicit-rollout.npz
besideMuJoCo benchmarks/models/implicit.xml out/implicit-rollout.npz | tee out/implicit-vs-mujoco.txt
python3 -c "
d = open('out/implicit-vs-mujoco.txt').read().split()
assert not d or float(d[-1]) < 1e-9, d"

section "2h. An arm pushing a puck past a post, and a planar hopper (issue 17): built-ins, recipes and datasets"
echo "   whose futures branch because of contact (contacts_vs_mujoco.py puts both beside MuJoCo)"
$ebm generate pusher-futures
$ebm generate hopper-random
python3 -c "
import numpy as np
q = np.load('trajectories/generated/pusher-futures/train.npz')['states']
y0, y1 = q[:, 0, 3], q[:, -1, 3]
left, right = y1 < -0.02, y1 > 0.02
print(f'pusher: the puck passes the post on the left {left.mean():.3f}, on the right {right.mean():.3f},'
      f' pinned {1 - left.mean() - right.mean():.3f}; starts below +3 mm that went left {left[y0 < 0.003].mean():.3f}')
h = np.load('trajectories/generated/hopper-random/train.npz')['states']
pitch = h[:, -1, 2]
print(f'hopper after 1 s: fallen backward {(pitch < -0.5).mean():.3f}, forward {(pitch > 0.5).mean():.3f},'
      f' upright {(abs(pitch) <= 0.5).mean():.3f}')
assert 0.3 < left.mean() < 0.7 and 0.3 < right.mean() < 0.7"

section "3. Datasets: seeded recipes -> NumPy files (trajectories/generated/NAME/)"
# the files are written as episodes are simulated (issue 18): peak memory beside the output's size
python3 -c "import glob, os, resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024; s = sum(map(os.path.getsize, glob.glob('trajectories/generated/reacher2-goals4/*.npz')))
print(f'generate: peak RSS {r / 1e6:.0f} MB for {s / 1e6:.1f} MB of .npz')" $ebm generate reacher2-goals4
$ebm dataset info trajectories/generated/reacher2-goals4

section "4. Train: the feedforward baseline, the energy model (the default: denoising score matching over whole"
echo "   97-state windows) and an energy model trained by contrastive divergence (for the live view and composition)"
$ebm train --data trajectories/generated/reacher2-goals4 --model feedforward \
  --config trajectories/reacher2-goals4-cd.train.json --out runs/reacher2-goals4-ff
$ebm train --data trajectories/generated/reacher2-goals4 --model ebm --out runs/reacher2-goals4-ebm
tail -n 2 runs/reacher2-goals4-ebm/metrics.jsonl
$ebm train --data trajectories/generated/reacher2-goals4 --model ebm \
  --config trajectories/reacher2-goals4-cd.train.json --out runs/reacher2-goals4-cd

section "5. Predict: 32 futures of test episode 3 from the energy model (its sampler: annealed MALA), with the baseline"
$ebm predict --model runs/reacher2-goals4-ebm --data trajectories/generated/reacher2-goals4 --episode 3 \
  --context-start 0 --samples 32 --horizon 96 \
  --baseline runs/reacher2-goals4-ff --out out/reacher2-goals4-predict.npz

section "6. Evaluate: ADE/FDE, goal coverage and validity of sampled futures vs the feedforward baseline"
$ebm evaluate --model runs/reacher2-goals4-ebm --baseline runs/reacher2-goals4-ff \
  --data trajectories/generated/reacher2-goals4 --out out/evaluate

section "6-dsm. Futures that hold (the issue's benchmark): coverage, validity, kinematics, energy score/MMD against"
echo "   re-simulated futures, 1,000-state rollouts; the default model, then arm7-goals4 (7 DoF, gravity)"
python3 benchmarks/futures_hold.py $ebm runs/reacher2-goals4-ebm | tee out/futures-hold-dsm.txt
$ebm generate arm7-goals4
$ebm train --data trajectories/generated/arm7-goals4 --model ebm --out runs/arm7-goals4-ebm
DATA=trajectories/generated/arm7-goals4 SITE=0 python3 benchmarks/futures_hold.py $ebm runs/arm7-goals4-ebm \
  | tee out/futures-hold-arm7.txt

section "6a. Ensemble: four energy networks averaged (model.ensemble 4): futures and 1,000-state rollouts vs the single model"
$ebm train --data trajectories/generated/reacher2-goals4 --model ebm \
  --config trajectories/reacher2-goals4-ensemble.train.json --out runs/reacher2-goals4-ensemble
$ebm evaluate --model runs/reacher2-goals4-ensemble --baseline runs/reacher2-goals4-ff \
  --data trajectories/generated/reacher2-goals4 --out out/evaluate-ensemble

section "6b. Judges: energies of every test window, online anomaly flags on a controller shift, OOD AUROC"
$ebm score --model runs/reacher2-goals4-ebm --data trajectories/generated/reacher2-goals4 --out out/score/reacher2-goals4.npz
$ebm score --model runs/reacher2-goals4-cd --data trajectories/generated/reacher2-goals4 --out out/score/reacher2-goals4-cd.npz
$ebm generate reacher2-goals4-random
$ebm score --model runs/reacher2-goals4-ebm --data trajectories/generated/reacher2-goals4-random --online \
  --calibration trajectories/generated/reacher2-goals4 --fpr 0.05 --out out/score/reacher2-goals4-random.npz
$ebm evaluate --ood --model runs/reacher2-goals4-ebm --baseline runs/reacher2-goals4-ff \
  --data trajectories/generated/reacher2-goals4 --episodes 200 --out out/ood
$ebm evaluate --ood --model runs/reacher2-goals4-cd --baseline runs/reacher2-goals4-ff \
  --data trajectories/generated/reacher2-goals4 --episodes 200 --out out/ood-cd
# the shifts that need another dataset to show: gear x0.5 under a compliant controller, mass x2 on arm7 under gravity
$ebm generate reacher2-goals4-compliant
$ebm train --data trajectories/generated/reacher2-goals4-compliant --model ebm \
  --config trajectories/reacher2-goals4-compliant.train.json --out runs/reacher2-goals4-compliant-ebm
$ebm train --data trajectories/generated/reacher2-goals4-compliant --model feedforward \
  --config trajectories/reacher2-goals4-cd.train.json --out runs/reacher2-goals4-compliant-ff
$ebm evaluate --ood --model runs/reacher2-goals4-compliant-ebm --baseline runs/reacher2-goals4-compliant-ff \
  --data trajectories/generated/reacher2-goals4-compliant --episodes 200 --out out/ood-compliant
$ebm train --data trajectories/generated/arm7-goals4 --model feedforward \
  --config trajectories/reacher2-goals4-cd.train.json --out runs/arm7-goals4-ff
$ebm evaluate --ood --model runs/arm7-goals4-ebm --baseline runs/arm7-goals4-ff \
  --data trajectories/generated/arm7-goals4 --episodes 100 --out out/ood-arm7

# joint window density (langevin.moveContext): raw energies compare across contexts
$ebm train --data trajectories/generated/reacher2-goals4 --model ebm \
  --config trajectories/reacher2-goals4-joint.train.json --out runs/reacher2-goals4-joint
$ebm evaluate --ood --model runs/reacher2-goals4-joint --baseline runs/reacher2-goals4-ff \
  --data trajectories/generated/reacher2-goals4 --episodes 200 --descent-steps 0 --out out/ood-joint

section "6c. Intent: a goal-conditioned EBM names the goal of a partial episode (vs a direct classifier, and under attacks)"
$ebm train --data trajectories/generated/reacher2-goals4 --model ebm \
  --config trajectories/reacher2-goals4-intent.train.json --out runs/intent-goal
$ebm evaluate --intent --model runs/intent-goal --data trajectories/generated/reacher2-goals4 --out out/intent
# the same goal-conditioned model as an OOD judge: min over goals of E(window | goal) needs no label
$ebm evaluate --ood --model runs/intent-goal --baseline runs/reacher2-goals4-ff \
  --data trajectories/generated/reacher2-goals4 --episodes 200 --out out/ood-intent

# product of experts: the model with itself at weights ½ + ½ is the model again (the check ComposeTests
# asserts bit for bit); step 6d composes two different experts
$ebm compose --model runs/reacher2-goals4-cd --model runs/reacher2-goals4-cd --weight 0.5 --weight 0.5 \
  --data trajectories/generated/reacher2-goals4 --episode 3 --context-start 10 --samples 16 --out out/compose.npz

section "6d. Compose: a speed expert and a goal expert, asked for a (goal, speed) pair that neither dataset holds"
$ebm generate reacher2-compose-speeds
$ebm generate reacher2-compose-paths
# the recipes' default training configs are denoising (DSM) experts; -cd.train.json are the older CD ones
$ebm train --data trajectories/generated/reacher2-compose-speeds --model ebm --out runs/compose-speeds
$ebm train --data trajectories/generated/reacher2-compose-paths --model ebm --out runs/compose-paths
# an unconditioned model of the same motions: A + B − ½U keeps the product from counting p(motion) twice
$ebm train --data trajectories/generated/reacher2-compose-paths --model ebm \
  --config trajectories/reacher2-goals4.train.json --out runs/compose-unconditional
# goal 1 at the fastest speed (20 steps) is excluded from both recipes
$ebm compose --model runs/compose-speeds --label 0 --model runs/compose-paths --label 1 --model runs/compose-unconditional --label -1 \
  --weight 1 --weight 1 --weight -0.5 --data trajectories/generated/reacher2-compose-paths --samples 16 --horizon 80 \
  --out out/compose-held-out.npz
# endpoint and speed errors on every (goal, speed) pair, held out and seen (benchmarks/README.md runs 4 contexts x 32)
python3 benchmarks/composition.py --ebm $ebm --a runs/compose-speeds --b runs/compose-paths --u runs/compose-unconditional \
  --u-weight=-0.5 --data-a trajectories/generated/reacher2-compose-speeds --data-b trajectories/generated/reacher2-compose-paths \
  --contexts 2 --samples 16 --json out/composition.json

section "6e. Plan: a learned pointmass2d model + goal + obstacle energies, Langevin planner, MPC in the simulator"
$ebm generate pointmass2d-plan
$ebm train --data trajectories/generated/pointmass2d-plan --model ebm --out runs/plan-pointmass2d
$ebm plan --robot pointmass2d --model runs/plan-pointmass2d --goal 0.3,0.1 --obstacle 0.15,0.05,0,0.04 \
  --planner langevin --out out/plan-pointmass2d
cat out/plan-pointmass2d/summary.json; echo
# planning speed on one thread, first 10 goals of the suite (seconds; the full table: benchmarks/README.md, Planning)
OPENBLAS_NUM_THREADS=1 $ebm bench plan --threads 1 --robots pointmass2d --planners langevin,mala --goals 10 \
  --model-pointmass2d runs/plan-pointmass2d
# the model-based RL baseline: MPPI over controls rolled out by a learned transition model
$ebm train --data trajectories/generated/pointmass2d-plan --model feedforward \
  --config trajectories/pointmass2d-plan-transition.train.json --out runs/transition-pointmass2d
$ebm plan --robot pointmass2d --dynamics runs/transition-pointmass2d --goal 0.3,0.1 --obstacle 0.15,0.05,0,0.04 \
  --planner mppi-ff --out out/plan-pointmass2d-mppi-ff

section "6f. Futures that branch because of contact (issue 17): a ball dropped on a ridge under random pushes; a DSM"
echo "   energy's futures and the feedforward baseline beside futures MuJoCo simulates from each context"
$ebm generate ridgeball-futures
$ebm train --data trajectories/generated/ridgeball-futures --model ebm --out runs/ridgeball-futures-ebm
$ebm train --data trajectories/generated/ridgeball-futures --model feedforward --config trajectories/reacher2-goals4.train.json \
  --out runs/ridgeball-futures-ff
python3 benchmarks/ridgeball_futures.py $ebm runs/ridgeball-futures-ebm --baseline runs/ridgeball-futures-ff \
  2> out/ridgeball-futures.log | tee out/ridgeball-futures.txt

section "7. Pictures: the episode with its sampled futures as ghosts (PNG, headless) and as an SVG projection"
run_gl() { if [ -n "${DISPLAY:-}" ]; then "$@"; else xvfb-run -a "$@"; fi; }
run_gl $ebm view --data trajectories/generated/reacher2-goals4/test.npz --episode 3 --frame 4 --hud \
  --futures out/reacher2-goals4-predict.npz --size 1024x768 --screenshot out/reacher2-goals4-futures.png
$ebm view --data trajectories/generated/reacher2-goals4/test.npz --episode 3 --frame 4 \
  --futures out/reacher2-goals4-predict.npz --svg out/reacher2-goals4-futures.svg
run_gl $ebm view --robot pointmass2d --plan out/plan-pointmass2d --hud --size 1024x768 --screenshot out/plan-pointmass2d.png
# contacts (key c in a window): the ridge ball rolling off the ridge, a dot per contact and its force
run_gl $ebm view --robot ridgeball --data out/ridgeball-rollout.npz --frame 200 --hud --size 1024x768 \
  --screenshot out/ridgeball-contacts.png
run_gl $ebm view --data trajectories/generated/pusher-futures/test.npz --episode 1 --frame 90 --hud --size 1024x768 \
  --screenshot out/pusher-contacts.png
run_gl $ebm view --data trajectories/generated/hopper-random/test.npz --episode 1 --frame 60 --hud --size 1024x768 \
  --screenshot out/hopper-contacts.png
# live planning (in a window: drag the goal or the obstacle and the robot replans); headless, one plan
run_gl $ebm view --robot pointmass2d --plan-live --model runs/plan-pointmass2d --goal 0.3,0.1 --obstacle 0.15,0.05,0,0.04 \
  --hud --size 1024x768 --screenshot out/plan-live-pointmass2d.png
run_gl $ebm view --robot reacher2 --predict out/reacher2-goals4-predict.npz --frame 30 --hud --size 1024x768 \
  --screenshot out/reacher2-goals4-predict.png
run_gl $ebm view --data trajectories/generated/reacher2-goals4 --model runs/reacher2-goals4-cd --baseline runs/reacher2-goals4-ff \
  --episode 3 --samples 16 --steps 60 --frame 8 --hud --size 1024x768 --screenshot out/reacher2-goals4-live.png

section "8. Speed: simulator steps/s (benchmarks/mujoco_sim.py puts MuJoCo beside it)"
$ebm bench sim --robots reacher2 arm7 chain32 --min-time 0.2
$ebm bench sample
# the network's evaluations and training steps at batch 128, one thread, with the machine they ran on
$ebm bench nn --batch 128 --threads 1 --seconds 0.2
# the denoising training step (second-order pass) at batch 128, one thread; PyTorch's autograd
# (create_graph=True) recomputes its loss and gradient on the same weights and batch
$ebm bench dsm --batch 128 --seconds 0.3
python3 benchmarks/pytorch_dsm.py --ebm $ebm --check-only

section "8b. URDF import (urdfdom, as MuJoCo imports URDF): info, the MJCF it imports as, a rollout"
$ebm model info benchmarks/models/two_link_arm.urdf
$ebm model xml benchmarks/models/two_link_arm.urdf --out out/two_link_arm.xml
$ebm simulate benchmarks/models/two_link_arm.urdf --steps 200 --out out/two_link_arm.npz

section "9. Python: the simulator over the C bridge, models in PyTorch, Minari, TensorBoard, paper figures"
python3 -m pip install -q --no-build-isolation ./python  # this checkout's package: compiles sim/src (~1.5 min)
python3 benchmarks/python_sim.py --ebm $ebm --json out/python-sim.json
python3 - <<'PY'
import numpy as np, torch, energydynamics as ed
from energydynamics.torch_models import score_windows
test = ed.load_dataset("trajectories/generated/reacher2-goals4")["test"]
for run, scores in [("runs/reacher2-goals4-ebm", "out/score/reacher2-goals4.npz"), ("runs/reacher2-goals4-cd", "out/score/reacher2-goals4-cd.npz")]:
    model = ed.load_energy_model(run)   # a torch.nn.Module: the denoising default, then the CD model
    context, future = score_windows(test.states, model.encoding, test.goal, test.controls)
    with torch.no_grad():
        energies = model(context, future).numpy()
    swift = np.load(scores)["window_energy"].ravel()
    print(f"{run} in PyTorch ({type(model).__name__}) vs ebm score: {energies.size} window energies, "
          f"max |difference| {np.abs(energies - swift).max():.2e} (largest |energy| {np.abs(swift).max():.3g})")
PY
python3 -m energydynamics.tensorboard runs/reacher2-goals4-ebm runs/reacher2-goals4-cd
rm -rf out/minari && MINARI_DATASETS_PATH=out/minari python3 -m energydynamics.minari_export trajectories/generated/reacher2-goals4
python3 benchmarks/figures.py out/evaluate out/evaluate-ensemble out/intent
# which noise level of the default model judges averaged episode pairs (benchmarks/README.md, OOD session 7)
python3 benchmarks/ood_noise_levels.py runs/reacher2-goals4-ebm trajectories/generated/reacher2-goals4 0 reacher2

section "10. Hardening: SIGKILL at random moments (datasets whole, resumes byte-identical) and a fuzzing smoke"
EBM=$ebm bash scripts/kill-test.sh 5
EBM=$ebm bash scripts/fuzz.sh 5 --seed 1

section "11. Scale-out: the generation array as Slurm would run it (3 tasks + merge), then 2 MPI ranks against 2"
echo "   micro-batches of one process (the same weights bit for bit; benchmarks/README.md, Scale-out)"
rm -rf out/cluster && mkdir -p out/cluster
for i in 0 1 2; do
  SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=3 EBM=$ebm bash scripts/cluster/generate-array.sbatch reacher2-tiny out/cluster/tiny >/dev/null
done
EBM=$ebm bash scripts/cluster/generate-array.sbatch --merge reacher2-tiny out/cluster/tiny
$ebm train --data out/cluster/tiny/merged --config trajectories/reacher2-tiny-dsm.train.json --out out/cluster/micro2 --micro-batches 2 --quiet | tail -n 1
if command -v mpirun >/dev/null; then
  mpirun --oversubscribe --allow-run-as-root -np 2 $ebm train --data out/cluster/tiny/merged \
    --config trajectories/reacher2-tiny-dsm.train.json --out out/cluster/ranks2 --quiet | tail -n 2
  python3 - <<'PY'
import json, struct, numpy as np
def weights(path):
    b = open(path, "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n])
    return {k: b[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]] for k, v in h.items() if k != "__metadata__"}
a, b = weights("out/cluster/micro2/model.safetensors"), weights("out/cluster/ranks2/model.safetensors")
assert a == b, "2 MPI ranks differ from 2 micro-batches"
print(f"2 MPI ranks == --micro-batches 2: {len(a)} tensors identical bit for bit")
PY
fi

section "12. A temporal denoising energy (issue 21's third candidate): residual convolutions over the window"
echo "   itself, trained by denoising score matching through their second-order passes, then sampled"
$ebm train --data out/cluster/tiny/merged --config trajectories/reacher2-tiny-dsm-temporal.train.json --out out/temporal --quiet | tail -n 1
$ebm predict --model out/temporal --data out/cluster/tiny/merged --episode 1 --samples 8 --out out/temporal-predict.npz | head -n 1

section "done: outputs in out/"
printf '%6d s  total\n' $(( $(date +%s) - job_start )) >> out/main-job-times.txt
cat out/main-job-times.txt
# with a display, open the viewer on the dataset (close the window to finish)
if [ -n "${DISPLAY:-}" ] && [ -z "${CI:-}" ]; then $ebm view --robot reacher2 --predict out/reacher2-goals4-predict.npz || true; fi
