"""The simulator from Python: same numbers as `ebm simulate` (bit for bit), as MuJoCo (1e-9), and
its own invariants (thread count, step vs rollout, RNEA∘ABA, Jacobian vs finite differences, errors)."""

import os

import numpy as np
import pytest

import energydynamics as ed
from conftest import ROOT, run


def random_problem(model, batch, steps, seed):
    rng = np.random.default_rng(seed)
    qpos = model.qpos0 + rng.uniform(-0.5, 0.5, (batch, model.nq))
    qvel = rng.uniform(-1, 1, (batch, model.nv))
    ctrl = rng.uniform(-1, 1, (batch, steps, model.nu))
    return qpos, qvel, ctrl


@pytest.mark.parametrize("robot, integrator, dt", [("reacher2", None, None), ("arm7", "euler", 0.002),
                                                   (os.path.join(ROOT, "sim", "robots", "acrobot.xml"), "rk4", 0.005)])
def test_rollout_equals_ebm_simulate_bit_for_bit(ebm, tmp_path, robot, integrator, dt):
    model = ed.Model.load(robot)
    options = {"substeps": 1}  # as ebm simulate, which always sets --substeps (default 1)
    if integrator:
        options["integrator"] = integrator
    if dt:
        options["timestep"] = dt
    model = model.with_options(**options)
    qpos, qvel, ctrl = random_problem(model, 6, 150, seed=3)
    np.savez(tmp_path / "initial.npz", qpos=qpos, qvel=qvel)
    np.save(tmp_path / "controls.npy", ctrl)
    flags = (["--integrator", integrator] if integrator else []) + (["--dt", dt] if dt else [])
    run(ebm, "simulate", robot, "--steps", 150, "--initial", tmp_path / "initial.npz",
        "--controls", tmp_path / "controls.npy", "--out", tmp_path / "out.npz", *flags)
    expected = np.load(tmp_path / "out.npz")
    ours = model.rollout(qpos, qvel, ctrl)
    for key in ("qpos", "qvel", "sites", "ctrl"):
        assert np.array_equal(getattr(ours, key), expected[key]), f"{key} differs from ebm simulate"
    assert np.abs(ours.qpos[:, -1] - ours.qpos[:, 0]).max() > 1e-2  # it moved


def test_rollout_matches_mujoco_on_the_same_file():
    mujoco = pytest.importorskip("mujoco")
    model = ed.Model.builtin("reacher2")
    reference = mujoco.MjModel.from_xml_string(ed.builtin_xml("reacher2"))
    reference.opt.disableflags |= int(mujoco.mjtDisableBit.mjDSBL_CONTACT)
    data = mujoco.MjData(reference)
    qpos, qvel, ctrl = random_problem(model, 1, 300, seed=5)
    ctrl *= 0.05  # small torques: joint1 stays inside its ±3 rad limit (limits differ by design: springs here)
    ours = model.rollout(qpos, qvel, ctrl)
    assert np.abs(ours.qpos[0, :, 1]).max() < 2.9
    data.qpos[:], data.qvel[:] = qpos[0], qvel[0]
    for t in range(300):
        data.ctrl[:] = ctrl[0, t]
        mujoco.mj_step(reference, data)
    assert np.abs(ours.qpos[0, -1] - data.qpos).max() < 1e-9
    assert np.abs(ours.qvel[0, -1] - data.qvel).max() < 1e-9


def test_threads_steps_and_states_agree():
    model = ed.Model.builtin("arm7")
    qpos, qvel, ctrl = random_problem(model, 5, 40, seed=1)
    one, every = model.rollout(qpos, qvel, ctrl, threads=1), model.rollout(qpos, qvel, ctrl, threads=0)
    assert all(np.array_equal(a, b) for a, b in zip(one, every))
    # a step returns new arrays and leaves its inputs alone
    before = qpos.copy()
    q1, v1 = model.step(qpos, qvel, ctrl[:, 0])
    assert np.array_equal(q1, one.qpos[:, 1]) and np.array_equal(v1, one.qvel[:, 1]) and np.array_equal(qpos, before)
    # one step at a time (constant control per call) gives the rollout's states
    q, v = qpos.copy(), qvel.copy()
    for t in range(40):
        model.step(q, v, ctrl[:, t], out=(q, v))
    assert np.array_equal(q, one.qpos[:, -1]) and np.array_equal(v, one.qvel[:, -1])
    # ... and so does one Simulation
    sim = ed.Simulation(model, qpos[2], qvel[2])
    for t in range(40):
        sim.set_ctrl(ctrl[2, t])
        sim.step()
    assert np.array_equal(sim.qpos, one.qpos[2, -1]) and sim.time == pytest.approx(40 * model.options.timestep)
    # sites of the rollout are the batched kinematics of its positions
    sites = model.kinematics(one.qpos.reshape(-1, model.nq)).reshape(one.sites.shape)
    assert np.abs(sites - one.sites).max() < 1e-12
    # per-call options equal a model copied with them
    fast = model.rollout(qpos, qvel, ctrl, dt=0.001, integrator="euler", substeps=2)
    copied = model.with_options(timestep=0.001, integrator="euler", substeps=2)
    assert copied.options.integrator == "euler" and copied.options.timestep == 0.001
    assert np.array_equal(fast.qpos, copied.rollout(qpos, qvel, ctrl).qpos) and not np.array_equal(fast.qpos, one.qpos)
    # zero-step rollouts and steps= without controls
    idle = model.rollout(qpos, qvel, steps=0)
    assert idle.qpos.shape == (5, 1, model.nq) and np.array_equal(idle.qpos[:, 0], qpos)


def test_dynamics_terms_are_consistent():
    model = ed.Model.builtin("arm7")
    rng = np.random.default_rng(2)
    # inside the joint ranges: at a limit forward() adds constraint forces that inverse() leaves out
    qpos, qvel, qfrc = rng.uniform(-0.3, 0.3, size=(8, 7)), rng.normal(size=(8, 7)), rng.normal(size=(8, 7))
    qacc = model.forward(qpos, qvel, qfrc)
    # RNEA∘ABA round trip: the force that gives ABA's acceleration is the applied force
    assert np.abs(model.inverse(qpos, qvel, qacc) - qfrc).max() < 1e-9
    # M(q) from CRBA: inverse(q, 0, a) − inverse(q, 0, 0) = M a
    sim = ed.Simulation(model, qpos[0], np.zeros(7))
    M = sim.mass_matrix()
    a = rng.normal(size=7)
    difference = model.inverse(qpos[:1], None, a[None]) - model.inverse(qpos[:1], None, np.zeros((1, 7)))
    assert np.abs(difference[0] - M @ a).max() < 1e-9 and np.allclose(M, M.T)
    # site Jacobian vs central differences of batched kinematics
    site = model.names("site")[0]
    sites, jacp = model.kinematics(qpos[:1], site)
    h, fd = 1e-6, np.zeros((3, 7))
    for j in range(7):
        e = np.zeros(7)
        e[j] = h
        fd[:, j] = (model.kinematics(qpos[:1] + e)[0, 0] - model.kinematics(qpos[:1] - e)[0, 0]) / (2 * h)
    assert np.abs(fd - jacp[0]).max() < 1e-7
    sim.set_state(qpos[0], np.zeros(7))
    assert np.abs(sim.site_jacobian(site)[0] - jacp[0]).max() < 1e-12


def test_errors_become_exceptions(tmp_path):
    with pytest.raises(ed.NotFoundError, match="SIM_ERR_NOT_FOUND"):
        ed.Model.builtin("reacher9")
    with pytest.raises(ed.SimIOError):
        ed.Model.from_file(tmp_path / "missing.xml")
    (tmp_path / "bad.xml").write_text("<mujoco>\n<worldbody>\n<body><joint type='hinge'/>\n</mujoco>\n")
    with pytest.raises(ed.ParseError, match="bad.xml"):
        ed.Model.from_file(tmp_path / "bad.xml")
    with pytest.raises(ed.ModelError):
        ed.Model.from_xml("<mujoco><worldbody><body><joint type='hinge'/><geom size='0.1' mass='-1'/></body></worldbody></mujoco>")
    model = ed.Model.builtin("reacher2")
    with pytest.raises(ed.ArgumentError, match="ctrl"):
        model.rollout(np.zeros((2, 2)), None, np.zeros((3, 10, 2)))
    with pytest.raises(ed.ArgumentError):
        model.with_options(timestep=-1)
    with pytest.raises(ed.ArgumentError, match="qvel"):
        model.step(np.zeros((2, 2)), np.zeros((3, 2)))
    with pytest.raises(ed.ArgumentError, match="out"):
        model.step(np.zeros((2, 2)), np.zeros((2, 2)), out=(np.zeros((2, 2), dtype=np.float32), np.zeros((2, 2))))
    with pytest.raises(ed.ArgumentError, match="qacc"):
        model.inverse(np.zeros((2, 2)), None, np.zeros(3))
    with pytest.raises(ed.NotFoundError):
        model.index("site", "nose")
    qpos = np.zeros((3, 2))
    qpos[1, 0] = np.nan
    with pytest.raises(ed.NonFiniteError) as error:
        model.rollout(qpos, None, steps=5)
    assert error.value.report["first_batch"] == 1 and error.value.report["failed"] == 1
    assert isinstance(error.value, FloatingPointError)
    sim = ed.Simulation(model)
    with pytest.raises(ed.NonFiniteError):
        sim.set_state([np.inf, 0], [0, 0])
