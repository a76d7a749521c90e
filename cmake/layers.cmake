# nabla's layers: the one table that both the build (CMakeLists.txt: one library per layer, each
# linking only what is below it) and the include check (cmake/check_layers.cmake: an #include
# pointing up a layer fails the build) read. A new folder is one word in its layer's list here.
#
#   NABLA_LAYER_<layer>_DIRS   folders under src/ and include/nabla/ (and, for an app's component,
#                              the prefix its headers are included with: "course/calculus.h")
#   NABLA_LAYER_<layer>_APPS   folders under apps/ whose files belong to the layer
#   NABLA_LAYER_<layer>_USES   the layers its files may include (itself among them)
#
#   core         tensor, kernels, autograd, ops, nn, optim, data, io, compile, expr; include/nabla/*.h
#   viz          -> core
#   train        -> viz, core
#   distributed  (over MPI)                              -> train, viz, core
#   course       (apps/course, the course's demos)       -> train, viz, core
#   serve        (apps/serve, the playground; its headers "session/…") -> train, viz, core
#   cli          (apps/cli, the nabla command)           -> everything
set(NABLA_LAYERS core viz train distributed course serve cli)
set(NABLA_LAYER_core_DIRS tensor kernels autograd ops nn optim data io compile expr)
set(NABLA_LAYER_viz_DIRS viz)
set(NABLA_LAYER_train_DIRS train)
set(NABLA_LAYER_distributed_DIRS distributed)
set(NABLA_LAYER_course_DIRS course)
set(NABLA_LAYER_course_APPS course)
set(NABLA_LAYER_serve_DIRS serve session)
set(NABLA_LAYER_serve_APPS serve)
set(NABLA_LAYER_cli_APPS cli)
set(NABLA_LAYER_core_USES core)
set(NABLA_LAYER_viz_USES core viz)
set(NABLA_LAYER_train_USES core viz train)
set(NABLA_LAYER_distributed_USES core viz train distributed)
set(NABLA_LAYER_course_USES core viz train course)
set(NABLA_LAYER_serve_USES core viz train serve)
set(NABLA_LAYER_cli_USES ${NABLA_LAYERS})
