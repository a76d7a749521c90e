# Checks that every #include in nabla's sources points down a layer (or sideways within one):
#   core    tensor kernels autograd ops nn optim data io compile expr, include/nabla/*.h
#   viz     -> core
#   train   -> viz, core
#   distributed (src/distributed, over MPI)      -> train, viz, core
#   course  (src/demo)                           -> train, viz, core
#   serve   (apps/serve: the playground, an app) -> train, viz, core
#   cli     (apps/cli)                           -> everything
# The build runs it before compiling the libraries (target nabla_layers), so an upward include
# fails the build, naming the file, the line and the layers. A new folder is one word in a list
# here and in CMakeLists.txt's NABLA_CORE_DIRS (or its layer's target).
#   cmake -DROOT=<source dir> -P cmake/check_layers.cmake
#   cmake -DROOT=... -DPROBE=<file> -DPROBE_AS=src/tensor/x.cpp -P ...   # check one more file as if it were there
cmake_minimum_required(VERSION 3.20)
if(NOT ROOT)
  message(FATAL_ERROR "pass -DROOT=<nabla's source directory>")
endif()

set(layer_core tensor kernels autograd ops nn optim data io compile expr)
set(layer_viz viz)
set(layer_train train)
set(layer_distributed distributed)
set(layer_course demo)
set(layer_serve "")  # no folder under src/ or include/nabla/: apps/serve holds it all
set(layers core viz train distributed course serve cli)
set(allowed_core core)
set(allowed_viz core viz)
set(allowed_train core viz train)
set(allowed_distributed core viz train distributed)
set(allowed_course core viz train course)
set(allowed_serve core viz train serve)
set(allowed_cli core viz train distributed course serve cli)

# The layer of a folder name under src/ or include/nabla/ (empty: not one of nabla's).
function(layer_of_dir dir out)
  set(result "")
  foreach(layer core viz train distributed course serve)
    if(dir IN_LIST layer_${layer})
      set(result ${layer})
    endif()
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

# The layer a file belongs to, from its path relative to ROOT.
function(layer_of_file rel out)
  set(result "")
  if(rel MATCHES "^apps/cli/")
    set(result cli)
  elseif(rel MATCHES "^apps/serve/")
    set(result serve)
  elseif(rel MATCHES "^include/nabla/[^/]+$")
    set(result core)
  elseif(rel MATCHES "^(src|include/nabla)/([^/]+)/")
    layer_of_dir("${CMAKE_MATCH_2}" result)
  endif()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

set(failures "")
function(check_file path rel)
  layer_of_file("${rel}" from)
  if(NOT from)
    return()
  endif()
  file(STRINGS "${path}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
  foreach(line IN LISTS lines)
    if(NOT line MATCHES "#[ \t]*include[ \t]*[<\"]([^>\"]+)[>\"]")
      continue()
    endif()
    set(inc "${CMAKE_MATCH_1}")
    set(to "")
    if(inc MATCHES "^nabla/[^/]+$")
      set(to core)
    elseif(inc MATCHES "^nabla/([^/]+)/")
      layer_of_dir("${CMAKE_MATCH_1}" to)
    elseif(inc MATCHES "^([^/]+)/")  # src/'s private headers: "kernels/gemm.h"
      layer_of_dir("${CMAKE_MATCH_1}" to)
    endif()
    if(to AND NOT to IN_LIST allowed_${from})
      set(failures "${failures}\n  ${rel}: #include \"${inc}\": ${from} may not include ${to} (${from} may include: ${allowed_${from}})")
    endif()
  endforeach()
  set(failures "${failures}" PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE files RELATIVE "${ROOT}" "${ROOT}/src/*" "${ROOT}/include/nabla/*" "${ROOT}/apps/*.cpp" "${ROOT}/apps/*.h")
foreach(rel IN LISTS files)
  if(rel MATCHES "\\.(cpp|h)$")
    check_file("${ROOT}/${rel}" "${rel}")
  endif()
endforeach()
if(PROBE)
  check_file("${PROBE}" "${PROBE_AS}")
endif()
if(failures)
  message(FATAL_ERROR "an include points up a layer (cmake/check_layers.cmake):${failures}")
endif()
