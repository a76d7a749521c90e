// The nabla command: parses the command line, runs one subcommand, and turns every failure
// into a message and an exit code.
//
// Exit codes: 0 success; 2 bad input (a CLI usage error, or a nabla::Error such as a ParseError,
// ShapeError or IOError); 1 anything else (a missing tool, an internal error). Errors are one line
// "nabla: error: ..." on stderr; a ParseError adds its source line with a caret under the column.
#include <algorithm>
#include <cctype>
#include <iostream>
#include <map>

#include "command.h"
#include "nabla/error.h"

namespace {

using nabla::cli::Message;
using nabla::cli::Translator;

constexpr Message kDescription{"nabla: automatic differentiation and small neural networks, explained",
                               "nabla: diferenciación automática y redes neuronales pequeñas, explicadas"};
constexpr Message kHelpHelp{"Print this help message and exit", "Muestra esta ayuda y termina"};
constexpr Message kVersionHelp{"Print the version and exit", "Muestra la versión y termina"};
constexpr Message kLangHelp{"Language of the messages: en or es (default: from LC_ALL/LANG)",
                            "Idioma de los mensajes: en o es (por omisión: según LC_ALL/LANG)"};
constexpr Message kUsageHint{"run 'nabla {}--help' for usage", "ejecuta 'nabla {}--help' para ver el uso"};
constexpr Message kOptionsGroup{"Options", "Opciones"};
constexpr Message kSubcommandsGroup{"Subcommands", "Subcomandos"};
constexpr Message kInternal{"internal error: {}", "error interno: {}"};

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

// The value of --lang before CLI11 runs, so that the help text is already in that language.
std::string peek_lang(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i] == "--lang" && i + 1 < args.size()) return args[i + 1];
    if (args[i].rfind("--lang=", 0) == 0) return args[i].substr(7);
  }
  return "";
}

// CLI11 reads "-x^2" as the short option -x with the value "^2". A single-dash word that names no
// option is an expression such as -x^2, -(x+1) or -sigmoid(w*x): it is moved behind "--", where
// CLI11 takes it as a positional.
void protect_dash_positionals(std::vector<std::string>& args, CLI::App& app) {
  CLI::App* sub = nullptr;
  std::vector<std::string> kept, positional;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") return;  // the user placed "--" already: leave the line as it is
    if (!sub) {
      for (CLI::App* s : app.get_subcommands({}))
        if (s->get_name() == a) sub = s;
      kept.push_back(a);
      continue;
    }
    // CLI11 itself takes "-2*x" (a digit after the dash) as a positional.
    const bool dash = a.size() >= 2 && a[0] == '-' && a[1] != '-' && !std::isdigit(static_cast<unsigned char>(a[1]));
    const bool known = dash && (sub->get_option_no_throw(a.substr(0, 2)) || app.get_option_no_throw(a.substr(0, 2)));
    bool option_value = false;  // the value of the option before it (--dot -x.dot)
    if (i > 0 && args[i - 1].rfind("--", 0) == 0 && args[i - 1].find('=') == std::string::npos) {
      const CLI::Option* prev = sub->get_option_no_throw(args[i - 1]);
      if (!prev) prev = app.get_option_no_throw(args[i - 1]);
      option_value = prev && prev->get_type_size_min() > 0;
    }
    if (dash && !known && !option_value)
      positional.push_back(a);
    else
      kept.push_back(a);
  }
  if (!positional.empty()) {
    kept.push_back("--");
    kept.insert(kept.end(), positional.begin(), positional.end());
  }
  args = std::move(kept);
}

// A message cut to about 400 characters: its start and end (where "(column N)" is) around "…".
std::string message_of(const std::exception& e) { return nabla::detail::excerpt(one_line(e.what()), 400); }

// The error, then the line of the text it points into, cut to a window around the column, with a
// caret under the column. Files are not echoed (their errors name file:line:column), only texts
// given whole: an expression, a config's line.
void print_parse_error(const nabla::ParseError& e) {
  std::cerr << "nabla: error: " << message_of(e) << "\n";
  if (e.text().empty() || e.column() <= 0) return;
  // The line the error is on, as characters (UTF-8 sequences), tabs as spaces so the caret lines up.
  std::vector<std::string> line;
  int number = 1;
  for (size_t i = 0; i < e.text().size(); ++i) {
    const char c = e.text()[i];
    if (c == '\n') {
      if (number++ == std::max(e.line(), 1)) break;
      line.clear();
    } else if ((static_cast<unsigned char>(c) & 0xC0) == 0x80 && !line.empty()) {
      line.back() += c;
    } else {
      line.push_back(c == '\t' || c == '\r' ? " " : std::string(1, c));
    }
  }
  constexpr size_t kWidth = 72;  // characters of the line shown around the column
  const size_t column = std::min(static_cast<size_t>(e.column() - 1), line.size());
  size_t begin = 0, end = line.size();
  if (end > kWidth) {
    begin = column > kWidth / 2 ? std::min(column - kWidth / 2, end - kWidth) : 0;
    end = begin + kWidth;
  }
  std::string shown = begin > 0 ? "…" : "";
  for (size_t i = begin; i < end; ++i) shown += line[i];
  if (end < line.size()) shown += "…";
  std::cerr << "  " << shown << "\n  " << std::string(column - begin + (begin > 0 ? 1 : 0), ' ') << "^\n";
}

int run(int argc, char** argv) {
  nabla::cli::set_command_line(argc, argv);
  std::vector<std::string> args(argv + 1, argv + argc);
  const Translator tr(nabla::cli::detect_language(peek_lang(args)));
  const nabla::cli::Context context{tr};

  CLI::App app{std::string(tr.text(kDescription)), "nabla"};
  // The help's own words; subcommands share this formatter and copy these option defaults.
  if (tr.lang() == nabla::cli::Lang::es) {
    const auto& f = app.get_formatter();
    for (auto [en, es] : {std::pair{"Usage", "Uso"},
                          {"OPTIONS", "OPCIONES"},
                          {"SUBCOMMAND", "SUBCOMANDO"},
                          {"SUBCOMMANDS", "SUBCOMANDOS"},
                          {"Positionals", "Argumentos"},
                          {"REQUIRED", "OBLIGATORIO"},
                          {"TEXT", "TEXTO"},
                          {"INT", "ENTERO"},
                          {"FILE", "ARCHIVO"},
                          {"NAME=VALUE,...", "NOMBRE=VALOR,..."}})
      f->label(en, es);
  }
  app.option_defaults()->group(std::string(tr.text(kOptionsGroup)));
  app.set_help_flag("-h,--help", std::string(tr.text(kHelpHelp)));
  app.set_version_flag("--version", "nabla " NABLA_VERSION, std::string(tr.text(kVersionHelp)));
  std::string lang;
  app.add_option("--lang", lang, std::string(tr.text(kLangHelp)))->check(CLI::IsMember({"en", "es"}));
  app.fallthrough();  // --lang is also accepted after the subcommand
  app.require_subcommand(1);
  std::map<CLI::App*, nabla::cli::Action> actions;
  for (const nabla::cli::Subcommand& s : nabla::cli::subcommands()) {
    CLI::App* sub = app.add_subcommand(s.name, std::string(tr.text(s.description)));
    sub->set_help_flag("-h,--help", std::string(tr.text(kHelpHelp)));
    sub->group(std::string(tr.text(kSubcommandsGroup)));
    actions[sub] = s.setup(*sub, context);
  }

  protect_dash_positionals(args, app);
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version: printed on stdout
    std::string sub;
    for (const auto& [s, action] : actions)
      if (s->parsed()) sub = s->get_name() + " ";
    std::cerr << "nabla: error: " << message_of(e) << "\n"
              << "  (" << tr(kUsageHint, sub) << ")\n";
    return 2;
  }
  for (const auto& [sub, action] : actions)
    if (sub->parsed()) return action(context);
  return 2;  // unreachable: a subcommand is required
}

}  // namespace

int main(int argc, char** argv) {
  const Translator tr(nabla::cli::detect_language(""));
  try {
    return run(argc, argv);
  } catch (const nabla::ParseError& e) {
    print_parse_error(e);
    return 2;
  } catch (const nabla::Error& e) {
    std::cerr << "nabla: error: " << message_of(e) << "\n";
    return 2;
  } catch (const nabla::cli::CommandError& e) {
    std::cerr << "nabla: error: " << message_of(e) << "\n";
    return e.code();
  } catch (const std::exception& e) {
    std::cerr << "nabla: " << tr(kInternal, message_of(e)) << "\n";
    return 1;
  } catch (...) {
    std::cerr << "nabla: " << tr(kInternal, "unknown exception") << "\n";
    return 1;
  }
}
