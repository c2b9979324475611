#!/bin/bash
# Issue 15 (behaviour unchanged): run the commands the CLI refactors touched with an old and a new ebm, then
#   scripts/cli-compare/run.sh /tmp/ebm-old /tmp/cmp/o; scripts/cli-compare/run.sh .build/release/ebm /tmp/cmp/n
#   scripts/cli-compare/compare.py /tmp/cmp/o /tmp/cmp/n   (timings masked; replan_ms skipped)
# run.sh BIN OUT: the commands this branch touched, each output under OUT (stdout in OUT/NAME.stdout, stderr in OUT/NAME.stderr, exit status in OUT/NAME.rc)
B=$(realpath "$1"); O=$2; R=$(cd "$(dirname "$0")/../../trajectories" && pwd)
rm -rf $O; mkdir -p $O; cd $O
run() { local name=$1; shift; nice -n 15 $B "$@" > $name.stdout 2> $name.stderr; echo $? > $name.rc; }
# data and runs
run gen generate reacher2-tiny --recipes $R --out data --quiet
R=$R python3 - <<'PY'
import json, os
c=json.load(open(os.environ['R'] + '/reacher2-tiny.train.json')); c['optimization']['steps']=10; c['checkpointEvery']=10; c['logEvery']=5
json.dump(c,open('tiny.json','w'))
c['model']['conditionOnGoal']=True; c['optimization']['goalCrossEntropy']=1
json.dump(c,open('goal.json','w'))
PY
run train-ebm train --data data --config tiny.json --out ebm --quiet
run train-ff train --data data --model feedforward --config tiny.json --out ff --quiet
run train-goal train --data data --config goal.json --out goal --quiet
run train-kind train --data data --kind feedforward --config tiny.json --out ffkind --quiet
run train-both train --data data --kind ebm --model ebm --config tiny.json --out ebmboth --quiet
# predict / compose / score / evaluate (split test and train)
run predict predict --model ebm --data data --samples 4 --steps 8 --sampler mala --horizon 6 --baseline ff --out predict.npz
run predict-train predict --model ebm --data data --split train --episode 2 --samples 4 --steps 8 --out predict-train.npz
run predict-badsplit predict --model ebm --data data --split valid --out bad.npz
run compose compose --model ebm --model ebm --weight 0.5 --weight 0.5 --data data --split train --samples 4 --steps 8 --out compose.npz
run score score --model ebm --data data --split train --out score/s.npz
run score-online score --model ebm --data data --out score/o.npz --online --calibration data
run evaluate evaluate --model ebm --baseline ff --data data --episodes 2 --samples 4 --steps 6 --reference-samples 4 --long-horizon 40 --long-contexts 2 --long-samples 2 --curve-episodes 2 --step-counts 0 4 --out eval
run evaluate-train evaluate forecast --model ebm --data data --split train --episodes 2 --samples 4 --steps 6 --reference-samples 0 --long-horizon 0 --curve-episodes 0 --out eval-train
run ood evaluate --ood --model ebm --baseline ff --data data --episodes 4 --out ood
run intent evaluate intent --model goal --data data --intent-episodes 8 --observed-steps 7 15 --classifier-steps 10 --attack-observed 15 --epsilons 0 0.1 --attack-iterations 2 --out intent
# simulate / bench sim
run sim simulate reacher2 --steps 30 --integrator rk4 --out sim.npz
run sim-euler simulate pendulum --steps 30 --integrator euler --substeps 2 --out sim-euler.npz
run sim-bad simulate reacher2 --steps 5 --integrator verlet --out simbad.npz
run benchsim bench sim --robots pendulum --integrators euler rk4 --threads 1 --min-time 0.01 --steps 50 --clock cpu --json
# plan / bench plan
run plan plan --robot pointmass2d --goal -0.10,0.14 --obstacle -0.05,0.07,0,0.02 --max-steps 30 --out plan --verbose
run plan-mala plan --robot reacher2 --goal 0.1,0.12 --planner mala --max-steps 12 --weight goal=300 --weight smoothness=0.1 --steps 5 --step-size 0.05 --temperature 0.2 --gradient-clip 2 --margin 0.02 --cold-start-rounds 2 --replan-every 3 --horizon 8 --chains 8 --out plan-mala
run plan-states plan --robot pointmass2d --goal 0.2,0.1 --coordinates states --noise 0.1 --final-step-size 0.005 --max-steps 12 --out plan-states
run plan-accel plan --robot reacher2 --goal 0.1,0.12 --acceleration-scale 50,80 --coordinates accelerations --max-steps 12 --out plan-accel
run plan-mppi plan --robot pointmass2d --goal 0.2,0.1 --planner mppi --samples 16 --steps 3 --max-steps 10 --out plan-mppi
run plan-sim plan --robot pointmass2d --goal 0.2,0.1 --planner cem-sim --samples 16 --steps 2 --max-steps 8 --out plan-sim
run plan-model plan --robot reacher2 --goal 0.1,0.12 --model ebm --max-steps 8 --out plan-model
run plan-ffneeds plan --robot pointmass2d --goal 0.2,0.1 --planner mppi-ff --out plan-ffneeds
run plan-badweight plan --robot pointmass2d --goal 0.2,0.1 --weight speed=1 --out x1
run plan-badweight2 plan --robot pointmass2d --goal 0.2,0.1 --weight goal=-1 --out x2
run plan-badclip plan --robot pointmass2d --goal 0.2,0.1 --gradient-clip 0 --out x3
run plan-badmargin plan --robot pointmass2d --goal 0.2,0.1 --margin -1 --out x4
run plan-badrounds plan --robot pointmass2d --goal 0.2,0.1 --cold-start-rounds 0 --out x5
run plan-badtemp plan --robot pointmass2d --goal 0.2,0.1 --temperature 0 --out x6
run plan-badsteps plan --robot pointmass2d --goal 0.2,0.1 --steps 0 --out x7
run plan-badreplan plan --robot pointmass2d --goal 0.2,0.1 --replan-every 17 --out x8
run plan-badaccel plan --robot reacher2 --goal 0.2,0.1 --acceleration-scale 1,0 --out x9
run plan-badaccel2 plan --robot reacher2 --goal 0.2,0.1 --acceleration-scale 1,2,3 --out x10
run plan-accelstates plan --robot reacher2 --goal 0.2,0.1 --coordinates states --acceleration-scale 1 --out x11
run plan-badgoal plan --robot pointmass2d --goal 0.3 --out x12
run benchplan bench plan --robots pointmass2d,reacher2 --planners langevin,mppi,cem-sim,mppi-ff --goals 2 --json benchplan.json --steps 3 --samples 8 --weight goal=200 --coordinates states --verbose
run benchplan2 bench plan --robots pointmass2d --planners mala --goals 2 --json benchplan2.json --temperature 0.2 --margin 0.03 --gradient-clip 3 --cold-start-rounds 2 --step-size 0.05 --final-step-size 0.01 --noise 0.1
# view (SVG needs no GL)
run view-episodes view --data data --episode 1 --svg view-episodes.svg --frame 3
run view-live view --model ebm --data data --split train --steps 5 --samples 3 --sampler mala --svg view-live.svg
run view-live-bad view --model ebm --data data --sampler hmc --svg x.svg
run view-plan view --plan plan/plan.npz --robot pointmass2d --svg view-plan.svg --frame 2
run view-planlive view --robot pointmass2d --plan-live --goal=0.2,0.1 --planner mppi-sim --svg view-planlive.svg
run view-trans view --robot reacher2 --translucency nearest --svg view-trans.svg
