"""A module's full backward hooks (Module.register_full_backward_hook), as torch.utils.hooks'
BackwardHook runs them: the gradients of a module's inputs and outputs gathered through one
node each, then handed to the user's hooks. Module._call_with_hooks uses _BackwardHook."""
from ... import Tensor


def _hook_tensors(tensors, on_grads):
    """New tensors with the values of `tensors` (floating, requiring grad), all made from one node,
    so that on_grads(grads) runs once with the gradients of all of them (zeros for one that got
    none) when backward reaches that node; a list it returns replaces them. A module's backward
    hook sees its inputs' (or outputs') gradients together through it, as through torch's
    BackwardHookFunction."""
    from ... import cat, zeros
    dtype = tensors[0].dtype
    if any(t.dtype != dtype for t in tensors):
        raise TypeError("register_full_backward_hook: nabla needs the tensors of a module's inputs (and of its "
                        "outputs) that require grad to share one dtype, got " + ", ".join(str(t.dtype) for t in tensors))
    shapes = [tuple(t.shape) for t in tensors]
    sizes = [t.numel() for t in tensors]
    pack = cat([t.reshape(-1) for t in tensors]) if len(tensors) > 1 else tensors[0].reshape(-1) * 1
    out, start = [], 0
    for shape, n in zip(shapes, sizes):
        out.append(pack.narrow(0, start, n).reshape(shape))
        start += n

    def on_pack(g):
        parts, start = [], 0
        for shape, n in zip(shapes, sizes):
            parts.append(g.narrow(0, start, n).reshape(shape))
            start += n
        new = on_grads(parts)
        if new is None:
            return None
        return cat([(p if p is not None else zeros(shape, dtype=dtype)).reshape(-1) for p, shape in zip(new, shapes)])
    pack.register_hook(on_pack)
    return out


class _BackwardHook:
    """torch.utils.hooks.BackwardHook for nabla: gathers a module's output gradients, then calls the
    user hooks with its input gradients."""

    def __init__(self, module, user_hooks):
        self.module, self.user_hooks = module, user_hooks
        self.grad_outputs = None
        self.n_inputs = self.n_outputs = -1
        self.input_tensors_index = self.output_tensors_index = None

    @staticmethod
    def _pack_with_none(indices, values, size):
        res = [None] * size
        for idx, val in zip(indices, values):
            res[idx] = val
        return tuple(res)

    def _apply_on_tensors(self, on_grads, args):
        """args with their tensors that require grad replaced by hooked ones (grad mode on); the
        indices of args' tensors, or None when none requires grad. on_grads(idx, grads) gets one
        gradient per tensor of args: a floating one that needs no grad has zeros, as in torch
        (whose hook function materializes them)."""
        from ... import is_grad_enabled, zeros
        idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        hooked = [i for i in idx if args[i].requires_grad]
        if not (hooked and is_grad_enabled()):
            return args, None
        still = {i: (tuple(args[i].shape), args[i].dtype) for i in idx
                 if i not in hooked and args[i].is_floating_point()}

        def with_all(grads):
            by_arg = dict(zip(hooked, grads))
            by_arg.update({i: zeros(shape, dtype=dtype) for i, (shape, dtype) in still.items()})
            new = on_grads(idx, [by_arg.get(i) for i in idx])
            return None if new is None else [new[idx.index(i)] for i in hooked]
        new = _hook_tensors([args[i] for i in hooked], with_all)
        args = list(args)
        for i, t in zip(hooked, new):
            args[i] = t
        return tuple(args), idx

    def setup_input_hook(self, args):
        def on_grads(idx, grads):
            if self.grad_outputs is None:  # reached without passing through the module's output
                return None
            res = self._pack_with_none(idx, grads, self.n_inputs)
            for hook in self.user_hooks:
                out = hook(self.module, res, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(res):
                    raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                       f"got {len(out)}, but expected {len(res)}")
                res = out
            self.grad_outputs = None
            return [res[i] for i in idx]

        res, self.input_tensors_index = self._apply_on_tensors(on_grads, args)
        self.n_inputs = len(args)
        return res

    def setup_output_hook(self, args):
        def on_grads(idx, grads):
            self.grad_outputs = self._pack_with_none(idx, grads, self.n_outputs)
            if self.input_tensors_index is None:  # no input requires grad: call the hooks now
                grad_inputs = self._pack_with_none([], [], self.n_inputs)
                for user_hook in self.user_hooks:
                    res = user_hook(self.module, grad_inputs, self.grad_outputs)
                    if res is not None and not (isinstance(res, tuple) and all(el is None for el in res)):
                        raise RuntimeError("Backward hook for Modules where no input requires "
                                           "gradient should always return None or None for all gradients.")
                self.grad_outputs = None
            return None

        is_tuple = isinstance(args, tuple)
        if not is_tuple:
            args = (args,)
        res, self.output_tensors_index = self._apply_on_tensors(on_grads, args)
        self.n_outputs = len(args)
        return res if is_tuple else res[0]
