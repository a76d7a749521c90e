// apps/cli/files.h — the files the nabla command writes, and the tools it calls to make them.
//
// Every file is written through a temporary file renamed over the destination, so an
// interrupted run never leaves half a file.
//
//   nabla::cli::write_file("graph.dot", dot_source);
//   nabla::cli::write_file("graph.svg", nabla::cli::render_svg(dot_source, tr));
#pragma once
#include <string>

#include "i18n.h"

namespace nabla::cli {

// Writes `contents` to `path` atomically; throws nabla::IOError when it cannot.
void write_file(const std::string& path, const std::string& contents);

// The full path of an executable found on PATH, or "" when there is none.
std::string find_executable(const std::string& name);

// SVG drawn by Graphviz (`dot -Tsvg`) from DOT source. Throws CommandError (exit 1) when dot is
// not installed or fails; nothing is written.
std::string render_svg(const std::string& dot_source, const Translator& tr);

}  // namespace nabla::cli
