"""nabla.utils.hooks — RemovableHandle, what register_hook and the Module hook registrations return
(as torch.utils.hooks): ``handle.remove()`` takes the hook away; also a context manager.

    handle = model.register_forward_hook(lambda m, inp, out: print(out.shape))
    model(x)            # prints
    handle.remove()
"""
import weakref

__all__ = ["RemovableHandle"]


class RemovableHandle:
    """Removes one hook from the dict it was registered in (held weakly, as torch's)."""

    next_id = 0

    def __init__(self, hooks_dict):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1

    def remove(self):
        hooks_dict = self.hooks_dict_ref()
        if hooks_dict is not None and self.id in hooks_dict:
            del hooks_dict[self.id]

    def __enter__(self):
        return self

    def __exit__(self, type, value, tb):
        self.remove()


class _TensorHookHandle(RemovableHandle):
    """The handle of Tensor.register_hook: the hook lives in the C++ tensor, removed by its id."""

    def __init__(self, tensor, hook_id):
        self.tensor, self.id = tensor, hook_id

    def remove(self):
        if self.tensor is not None:
            self.tensor._remove_hook(self.id)
            self.tensor = None
