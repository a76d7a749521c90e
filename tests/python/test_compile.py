"""nabla.compile from Python: replays are bit-identical to eager steps and never enter Python;
a long replay loop stops cleanly on Ctrl-C (KeyboardInterrupt)."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import nabla


def make_problem(seed=0):
    nabla.manual_seed(seed)
    w1 = nabla.randn(3, 8, requires_grad=True)
    w2 = nabla.randn(8, 1, requires_grad=True)
    x = nabla.randn(16, 3)
    y = nabla.randn(16, 1)
    return [w1, w2], x, y


def make_step(params, lr=0.05, counter=None):
    def step(x, y):
        if counter is not None:
            counter[0] += 1
        for p in params:
            p.grad = None
        loss = ((nabla.tanh(x @ params[0]) @ params[1] - y) ** 2).mean()
        loss.backward()
        with nabla.no_grad():
            for p in params:
                p.sub_(lr * p.grad)
        return loss

    return step


def test_replay_is_bit_identical_to_eager_and_skips_python():
    p_eager, x, y = make_problem()
    p_comp, _, _ = make_problem()
    eager = make_step(p_eager)
    calls = [0]
    compiled = nabla.compile(make_step(p_comp, counter=calls))
    for i in range(10):
        le = eager(x, y).item()
        lc = compiled(x, y).item()
        assert le == lc, i
        for a, b in zip(p_eager, p_comp):
            np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    assert calls[0] == 2  # a warm-up call and the recording; 8 replays never entered Python
    stats = compiled.stats()
    assert stats["replays"] == 8 and stats["captures"] == 1 and stats["kernels"] > 0


def test_tuple_outputs_and_new_shapes():
    params, x, y = make_problem(1)
    step = make_step(params)

    def two(x, y):
        loss = step(x, y)
        return loss, (x @ params[0]).sum(1)

    compiled = nabla.compile(two)
    ref_params, _, _ = make_problem(1)
    ref = make_step(ref_params)
    for i in range(4):
        loss, s = compiled(x, y)
        ref_loss = ref(x, y)
        assert loss.shape == () and s.shape == (16,)
        assert loss.item() == ref_loss.item()
        np.testing.assert_array_equal(s.numpy(), (x @ ref_params[0]).sum(1).detach().numpy())
    loss, s = compiled(x[:5], y[:5])  # a new input shape: a new recording
    assert s.shape == (5,)


def test_decorator_and_misuse():
    @nabla.compile
    def double(x):
        return x * 2

    for _ in range(4):
        assert double(nabla.tensor([1.0, 2.0])).tolist() == [2.0, 4.0]
    with pytest.raises(nabla.ValueError, match="inputs are tensors"):
        double([1.0])

    def noisy(x):
        return x + nabla.randn(2)

    c = nabla.compile(noisy)
    c(nabla.zeros(2))
    with pytest.raises(nabla.CaptureError, match="randn|normal"):
        c(nabla.zeros(2))

    def bad(x):
        return 1.0

    with pytest.raises(nabla.CaptureError, match="must return a tensor"):
        nabla.compile(bad)(nabla.zeros(1))

    def raises(x):
        raise KeyError("inside")

    with pytest.raises(KeyError, match="inside"):
        nabla.compile(raises)(nabla.zeros(1))


def test_run_many_replays():
    params, x, y = make_problem(2)
    ref_params, _, _ = make_problem(2)
    compiled = nabla.compile(make_step(params))
    ref = make_step(ref_params)
    last = compiled.run(50, x, y)
    for _ in range(50):
        ref_loss = ref(x, y)
    assert last.item() == ref_loss.item()


def test_ctrl_c_stops_a_long_replay_loop():
    code = (
        "import faulthandler, signal, sys, time; sys.path[:0] = %r\n"
        "faulthandler.register(signal.SIGUSR1, all_threads=True)\n"
        "import nabla\n"
        "w = nabla.randn(64, 64, requires_grad=True)\n"
        "def step(x):\n"
        "    w.grad = None\n"
        "    loss = (x @ w).tanh().pow(2).mean()\n"
        "    loss.backward()\n"
        "    with nabla.no_grad():\n"
        "        w.sub_(1e-3 * w.grad)\n"
        "    return loss\n"
        "s = nabla.compile(step)\n"
        "x = nabla.randn(64, 64)\n"
        "s(x); s(x)\n"
        "print('ready', flush=True)\n"
        "t = time.time()\n"
        "try:\n"
        "    s.run(10**9, x)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted after %%.2f s' %% (time.time() - t), flush=True)\n"
        "    print('still works', s(x).item() > 0, flush=True)\n" % (sys.path,)
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGUSR1)  # where every thread is, on stderr
            time.sleep(2)
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"still running 30 s after Ctrl-C; stdout:\n{out}\nits threads:\n{err}")
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "interrupted after" in out and "still works True" in out


def test_gil_is_released_during_replays():
    """A Python thread keeps running while the main thread replays."""
    import threading

    params, x, y = make_problem(3)
    compiled = nabla.compile(make_step(params))
    ticks = [0]
    stop = [False]

    def count():
        while not stop[0]:
            ticks[0] += 1
            time.sleep(0.001)

    th = threading.Thread(target=count)
    th.start()
    before = ticks[0]
    compiled.run(20000, x, y)
    stop[0] = True
    th.join()
    assert ticks[0] - before > 5


def test_setitem_inside_a_recording_is_refused():
    def step(x):
        y = x * 2
        y[0] = 1.0
        return y

    c = nabla.compile(step)
    assert c(nabla.zeros(2)).tolist() == [1.0, 0.0]  # the warm-up call is eager
    with pytest.raises(nabla.CaptureError, match="__setitem__"):
        c(nabla.zeros(2))


def test_replays_return_one_object_overwritten_each_call():
    """A replay writes into the same buffer: each call returns that one tensor, holding the
    latest result (what eager steps would have returned, call by call)."""
    c = nabla.compile(lambda x: (x * 2).sum())
    xs = [nabla.tensor([float(i), 1.0]) for i in range(6)]
    got = []
    for x in xs:
        r = c(x)
        got.append((r, r.item()))
    assert [v for _, v in got] == [2.0 * i + 2.0 for i in range(6)]
    assert got[-1][0] is got[-2][0]  # replays: the same object


def test_long_replays_called_one_by_one_release_the_gil():
    """Short replays keep the GIL (taking it back costs as much as a small step); long ones let
    other Python threads run."""
    import threading

    nabla.manual_seed(0)
    a = nabla.randn(400, 400)
    c = nabla.compile(lambda x: (x @ a @ a).sum())
    x = nabla.randn(400, 400)
    ticks, stop = [0], [False]

    def count():
        while not stop[0]:
            ticks[0] += 1
            time.sleep(0.0005)

    th = threading.Thread(target=count)
    th.start()
    sys_switch = sys.getswitchinterval()
    sys.setswitchinterval(10.0)  # without a release, the other thread would not get the GIL back
    try:
        c(x), c(x)
        before = ticks[0]
        for _ in range(30):
            c(x)
        after = ticks[0]
    finally:
        sys.setswitchinterval(sys_switch)
        stop[0] = True
        th.join()
    assert after - before > 5


def test_compiled_step_is_a_vectorcall_object():
    """The replay path: CPython's vectorcall into C++ (no argument tuple, no pybind11 dispatch),
    the same result object each replay, errors as nabla's exceptions, the helpers forwarded."""
    params, x, y = make_problem(5)
    step = nabla.compile(make_step(params))
    assert type(step).__name__ == "CompiledStep" and type(step).__flags__ & (1 << 11)  # Py_TPFLAGS_HAVE_VECTORCALL
    first = [step(x, y) for _ in range(4)]
    assert first[2] is first[3]  # replays return one object, overwritten each call
    assert step.stats()["replays"] == 2 and step.__wrapped__ is not None and "CompiledStep" in repr(step)
    with pytest.raises(ValueError, match="inputs are tensors, got int for input 1"):
        step(x, 3)
    with pytest.raises(ValueError, match="by position"):
        step(x, y=y)
    with pytest.raises(nabla.CaptureError, match="requires grad"):
        step(x, params[0])
    sub = nabla.nn.Parameter(y.clone(), requires_grad=False)  # a Tensor subclass: the general path
    assert type(sub) is not nabla.Tensor
    replays = step.stats()["replays"]
    step(x, sub)
    assert step.stats()["replays"] == replays + 1
