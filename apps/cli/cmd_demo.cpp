// `nabla demo NAME [--out DIR]` and `nabla demo --list`: the course notebooks' experiments, each
// told as a teacher would tell it at that point, with the numbers, and drawn into DIR
// (default demo-<name>/). Where a notebook's code or arithmetic is wrong, the demo says so, with the
// right value. Each demo is one file under apps/cli/demos/ that registers itself (demos/demo.h);
// this file lists them, checks the options, reads the training demos' configurations and runs one.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "command.h"
#include "course/training.h"
#include "demos/demo.h"
#include "json_out.h"
#include "nabla/error.h"
#include "nabla/train/config.h"
#include "trace_format.h"

namespace nabla::cli {
namespace demo_command {  // this file's own names (a named namespace: the command is a unity build)

constexpr Message kDescription{"Run one of the course notebooks' experiments, explained, with pictures",
                               "Ejecuta uno de los experimentos de las libretas del curso, explicado y con imágenes"};
constexpr Message kNameHelp{"The demo to run (see --list)", "La demostración a ejecutar (ver --list)"};
constexpr Message kListHelp{"List the demos: name, what it shows, the notebook section it comes from",
                            "Lista las demostraciones: nombre, qué muestra y la sección de la libreta de la que viene"};
constexpr Message kOutHelp{"Directory for the pictures (default: demo-<name>)",
                           "Directorio para las imágenes (por omisión: demo-<nombre>)"};
constexpr Message kJsonHelp{
    "Print only the demo's key numbers, at full precision, as one JSON object {\"demo\": NAME, \"numbers\": {...}}; "
    "no text, and no pictures unless --out is also given",
    "Imprime solo los números clave de la demostración, con toda su precisión, como un objeto JSON "
    "{\"demo\": NOMBRE, \"numbers\": {...}}; sin texto, y sin imágenes salvo que también se dé --out"};
constexpr Message kConfigHelp{
    "Training demos: run this configuration instead of the one in examples/ (once per configuration the demo uses)",
    "Demostraciones con entrenamiento: usa esta configuración en lugar de la de examples/ (una por cada configuración "
    "de la demostración)"};
constexpr Message kSetHelp{
    "Training demos: override a configuration value, e.g. --set train.epochs=200 (repeatable)",
    "Demostraciones con entrenamiento: cambia un valor de la configuración, p. ej. --set train.epochs=200 (repetible)"};
constexpr Message kFooter{
    "Example: nabla demo cost-landscape --lang es --out /tmp/costo\n"
    "Training demos run the configurations in examples/; edit a copy and rerun with --config, e.g.\n"
    "  nabla demo xor --config my_xor.toml      nabla demo xor --set optim.lr=2",
    "Ejemplo: nabla demo cost-landscape --lang es --out /tmp/costo\n"
    "Las demostraciones con entrenamiento usan las configuraciones de examples/; edita una copia y vuelve a\n"
    "ejecutar con --config, p. ej.\n"
    "  nabla demo xor --config mi_xor.toml      nabla demo xor --set optim.lr=2"};
constexpr Message kNoConfigs{
    "the demo {} runs no configuration file (what it computes is fixed, and its text says where it comes from), "
    "so it takes no --config or --set",
    "la demostración {} no usa ningún archivo de configuración (lo que calcula está fijo, y su texto dice de dónde "
    "viene), así que no admite --config ni --set"};
constexpr Message kConfigCount{"the demo {} runs {} configuration(s) ({}); --config was given {} time(s)",
                               "la demostración {} usa {} configuración(es) ({}); se dio --config {} vez/veces"};
constexpr Message kNoName{"name a demo, or use --list to see them: {}",
                          "indica una demostración, o usa --list para verlas: {}"};
constexpr Message kUnknown{"there is no demo '{}'; the demos are: {}", "no existe la demostración '{}'; las hay: {}"};
constexpr Message kPictures{"Pictures in {}:", "Imágenes en {}:"};
constexpr Message kFrom{"from {}", "de {}"};
// ============================== the catalogue ==============================

// The registered demos (one file each under apps/cli/demos/), in the notebooks' order.
const std::vector<Demo>& demos() {
  static const std::vector<Demo> list = [] {
    std::vector<Demo> l = registered_demos();
    std::stable_sort(l.begin(), l.end(), [](const Demo& x, const Demo& y) { return x.order < y.order; });
    return l;
  }();
  return list;
}

std::string demo_names() {
  std::vector<std::string> names;
  for (const Demo& d : demos()) names.push_back(d.name);
  return join(names, ", ");
}

struct Options {
  std::string name, out;
  std::vector<std::string> configs, set;
  bool list = false, json = false;
};

int run(const Options& o, const Context& ctx) {
  const Translator& tr = ctx.tr;
  if (o.list) {
    size_t w = 0;
    for (const Demo& d : demos()) w = std::max(w, width(d.name));
    for (const Demo& d : demos())
      std::cout << pad(d.name, w) << "  " << tr.text(d.description) << "\n"
                << std::string(w + 2, ' ') << "(" << tr(kFrom, tr.text(d.source)) << ")\n";
    return 0;
  }
  NABLA_CHECK(!o.name.empty(), ValueError, tr(kNoName, demo_names()));
  const Demo* demo = nullptr;
  for (const Demo& d : demos())
    if (o.name == d.name) demo = &d;
  NABLA_CHECK(demo, ValueError, tr(kUnknown, o.name, demo_names()));

  // With --json the text goes nowhere (an ostream without a buffer discards what it is given).
  std::ostream discard(nullptr);
  Run r{tr,
        o.json ? discard : std::cout,
        o.out.empty() ? std::filesystem::path("demo-" + o.name) : std::filesystem::path(o.out),
        {},
        {},
        {}};
  r.pictures = !o.json || !o.out.empty();
  // Every configuration is parsed and checked before any work or file: a bad one writes nothing.
  std::vector<std::string> examples;
  for (const char* c : demo->configs) examples.push_back(std::string("examples/") + c);
  NABLA_CHECK(!demo->configs.empty() || (o.configs.empty() && o.set.empty()), ValueError, tr(kNoConfigs, demo->name));
  NABLA_CHECK(o.configs.empty() || o.configs.size() == demo->configs.size(), ValueError,
              tr(kConfigCount, demo->name, demo->configs.size(), join(examples, " "), o.configs.size()));
  for (size_t i = 0; i < demo->configs.size(); ++i) {
    if (o.configs.empty()) {
      r.configs.push_back(
          train::parse_train_config(std::string(demo::example_config(demo->configs[i])), examples[i], o.set));
      r.sources.push_back(examples[i]);
    } else {
      r.configs.push_back(train::parse_train_config_file(o.configs[i], o.set));
      r.sources.push_back(o.configs[i]);
    }
  }
  if (r.pictures) {
    std::error_code ec;
    std::filesystem::create_directories(r.dir, ec);
    NABLA_CHECK(!ec, IOError, "cannot create the directory ", r.dir.string(), ": ", ec.message());
  }
  demo->run(r);
  if (o.json) {
    std::cout << dump_json(nlohmann::json{{"demo", demo->name}, {"numbers", r.numbers}}) << "\n";
    std::cout.flush();
    return 0;
  }

  if (!r.files.empty()) {
    r.line();
    r.line(tr(kPictures, r.dir.string()));
    size_t w = 0;
    for (const auto& [name, what] : r.files) w = std::max(w, width(name));
    for (const auto& [name, what] : r.files) r.line("  " + pad(name, w) + "  " + what);
  }
  std::cout.flush();
  return 0;
}

Action setup(CLI::App& app, const Context& ctx) {
  const Translator& tr = ctx.tr;
  auto o = std::make_shared<Options>();
  app.add_option("name", o->name, std::string(tr.text(kNameHelp)))->type_name("NAME");
  app.add_flag("--list", o->list, std::string(tr.text(kListHelp)));
  app.add_option("--out", o->out, std::string(tr.text(kOutHelp)))->type_name("DIR");
  app.add_flag("--json", o->json, std::string(tr.text(kJsonHelp)));
  app.add_option("--config", o->configs, std::string(tr.text(kConfigHelp)))
      ->type_name("FILE.toml")
      ->allow_extra_args(false);
  app.add_option("--set", o->set, std::string(tr.text(kSetHelp)))->type_name("KEY=VALUE")->allow_extra_args(false);
  app.footer(std::string(tr.text(kFooter)));
  return [o](const Context& c) { return run(*o, c); };
}

const bool registered = register_subcommand({"demo", kDescription, setup});

}  // namespace demo_command
}  // namespace nabla::cli
