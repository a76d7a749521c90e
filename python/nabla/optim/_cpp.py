"""The built-in optimizers' shared machinery: a Python Optimizer (torch's param_groups, state,
state_dict) whose step() is one call to nabla's C++ optimizer over the same tensors.

Each group dict pushes its hyper-parameters to C++ whenever an item is set (a scheduler's lr, a
user's edit), so the next step, eager or replayed by nabla.compile, uses them. ``state`` is built
on each access from the C++ state (its tensors are the live buffers); entries added to it by hand
are not kept, as the C++ update would not read them.
"""
import json
from collections import defaultdict

from .. import Tensor, _C, full, tensor
from .optimizer import Optimizer

_optim = _C._optim


class _Group(dict):
    """A param group whose C++ options follow its items."""

    __slots__ = ("_owner", "_index")

    def __setitem__(self, key, value):
        owner = getattr(self, "_owner", None)
        if owner is not None and key in owner._cpp_keys:
            # C++ validates first: an invalid value (lr < 0, ...) raises and changes nothing.
            owner._impl.set_options(self._index, owner._options_json({**self, key: value}))
        dict.__setitem__(self, key, value)

    def update(self, *args, **kwargs):
        for k, v in dict(*args, **kwargs).items():
            self[k] = v

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def __reduce__(self):
        return (dict, (dict(self),))


class _CppOptimizer(Optimizer):
    _cpp_name = ""  # the C++ optimizer ("SGD", "Adam", ...)
    _cpp_keys = ()  # the group keys its options read (OptimizerOptions::to_json)
    _step_as_tensor = True  # torch keeps "step" as a float tensor (RMSprop 1.13: an int)

    def __init__(self, params, defaults):
        object.__setattr__(self, "_impl", None)
        super().__init__(params, defaults)
        self._impl = _optim.make(self._cpp_name, [(g["params"], self._options_json(g)) for g in self.param_groups])
        for i, group in enumerate(self.param_groups):
            group._owner, group._index = self, i

    def _options_json(self, group):
        return json.dumps({k: (list(v) if isinstance(v, tuple) else v) for k, v in group.items() if k in self._cpp_keys})

    def add_param_group(self, param_group):
        super().add_param_group(param_group)
        group = _Group(self.param_groups[-1])
        self.param_groups[-1] = group
        if self._impl is not None:
            self._impl.add_param_group(group["params"], self._options_json(group))
            group._owner, group._index = self, len(self.param_groups) - 1

    # ---- the update ----

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        self._impl.step()
        return loss

    def zero_grad(self, set_to_none=False):
        self._impl.zero_grad(set_to_none)

    # ---- state: the C++ buffers themselves (aliases), under torch's keys ----

    def _param_state(self, g, i, p):
        initialized, step, buffers = self._impl.param_state(g, i)
        if not initialized:
            return None
        out = {}
        if step is not None:
            out["step"] = tensor(float(step)) if self._step_as_tensor else step
        out.update(buffers)
        return out

    @property
    def state(self):
        state = defaultdict(dict)
        if self._impl is None:
            return state
        for g, group in enumerate(self.param_groups):
            for i, p in enumerate(group["params"]):
                s = self._param_state(g, i, p)
                if s is not None:
                    state[p] = s
        return state

    @state.setter
    def state(self, value):
        pass  # the C++ optimizer holds the state (see load_state_dict)

    def __getstate__(self):
        raise TypeError(f"cannot pickle a nabla.optim.{type(self).__name__}: save its state_dict() instead")

    def load_state_dict(self, state_dict):
        groups, state = self._loaded_groups_and_state(state_dict)
        scalars = {"optimizer": self._cpp_name, "param_groups": [], "state": {}}
        tensors = {}
        k = 0
        for g, (group, loaded) in enumerate(zip(self.param_groups, groups)):
            options = json.loads(self._options_json(loaded))
            options["params"] = list(range(k, k + len(group["params"])))
            scalars["param_groups"].append(options)
            for p in group["params"]:
                s = state.get(p)
                if s:
                    entry = {}
                    for name, value in s.items():
                        if name == "step":
                            entry["step"] = int(value.item() if isinstance(value, Tensor) else value)
                        elif isinstance(value, Tensor):
                            tensors[f"state.{k}.{name}"] = value
                    scalars["state"][str(k)] = entry
                k += 1
        self._impl.load_state_dict(tensors, json.dumps(scalars))
        for g, (group, loaded) in enumerate(zip(self.param_groups, groups)):
            dict.clear(group)
            dict.update(group, loaded)


class _AdagradState(_CppOptimizer):
    """Adagrad: torch makes each parameter's state when the optimizer is built."""

    def _param_state(self, g, i, p):
        s = super()._param_state(g, i, p)
        if s is None:
            init = self.param_groups[g]["initial_accumulator_value"]
            s = {"step": tensor(0.0), "sum": full(tuple(p.shape), float(init), dtype=p.dtype)}
        return s
