// apps/cli/demos/demo.h — one demo of `nabla demo`: what it is (Demo), what it writes to (Run),
// and the formatting every demo shares. A demo lives in its own file under apps/cli/demos/ and
// registers itself from a static initializer; cmd_demo.cpp lists and runs them. The training
// demos' shared pieces are in demos/training.h.
//
//   void demo_mine(Run& r) { r.line(r.text(kTitle)); r.numbers["x"] = 1.0; if (!r.pictures) return; ... }
//   const bool registered = register_demo({"mine", kWhat, kSource, demo_mine, {}, 12});
#pragma once
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "i18n.h"
#include "nabla/train/config.h"
#include "trace_format.h"  // num, fmt, table_lines

namespace nabla::cli {

// The run of one demo: its words, where its text and pictures go, and its numbers.
struct Run {
  const Translator& tr;
  std::ostream& out;
  std::filesystem::path dir;
  // The training demos' configurations, parsed before anything runs, and where each came from.
  std::vector<train::TrainConfig> configs;
  std::vector<std::string> sources;
  std::vector<std::pair<std::string, std::string>> files;  // name, what it shows
  // The demo's key numbers at full precision, for --json: {"demo": NAME, "numbers": numbers}.
  nlohmann::json numbers = nlohmann::json::object();
  // False with --json and no --out: the demo computes its numbers and draws nothing.
  bool pictures = true;

  std::string path(const std::string& name) const { return (dir / name).string(); }
  void wrote(const std::string& name, const Message& what) { files.emplace_back(name, std::string(tr.text(what))); }
  template <class... Args>
  std::string operator()(const Message& m, const Args&... args) const {
    return tr(m, args...);
  }
  std::string text(const Message& m) const { return std::string(tr.text(m)); }
  void line(const std::string& s = "") { out << s << "\n"; }
};

struct Demo {
  const char* name;
  Message description;
  Message source;  // the notebook section it comes from
  std::function<void(Run&)> run;
  std::vector<const char*> configs = {};  // the examples/ files a training demo runs
  int order = 0;                          // its place in --list (the notebooks' order)
};

// Adds a demo; returns true so that it can initialise a static in the demo's file.
bool register_demo(Demo demo);
// The demos registered so far, in no particular order.
const std::vector<Demo>& registered_demos();

// `n` significant digits: -6.75, 0.00023166187, 0.50001158.
std::string sig(double v, int n);
// "(a, b, c)" with num(·, d).
std::string vec(const std::vector<double>& v, int d = 4);
// A table (table_lines): rows of cells, columns padded to their widest cell. The first column
// (labels) and any column listed in `text_columns` are left-aligned, the others (numbers) right.
void table(Run& r, const std::vector<std::vector<std::string>>& rows, const std::string& indent = "  ",
           const std::vector<size_t>& text_columns = {});

// Words several demos use.
inline constexpr Message kEpoch{"epoch", "época"};
inline constexpr Message kClass{"class {}", "clase {}"};
inline constexpr Message kLossBothTitle{"Loss", "Pérdida"};
inline constexpr Message kLayerN{"layer {}", "capa {}"};

}  // namespace nabla::cli
