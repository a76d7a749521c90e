// `nabla serve [--port 8080] [--host 127.0.0.1] [--max-sessions 16] [--workers K]`: the live
// training playground in the browser (a classroom: --host 0.0.0.0 --allow-host NAME
// --max-sessions 60).
// The server lives in apps/serve/ and the numerics in apps/serve/session/; this file parses
// the options, starts the server and waits.
//
// The HTTP server (Debian's cpp-httplib) brings OpenSSL with it, 3.5 MB of memory in every
// process that links it. So it runs in a program of its own, nabla-serve, built from this file
// with NABLA_SERVE_IN_PROCESS; in the nabla command `serve` has the same options and help and
// hands the command line on to the nabla-serve next to it (exec: same process, same output).
#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include "command.h"
#ifdef NABLA_SERVE_IN_PROCESS
#include "server.h"
#else
#include <unistd.h>

#include <cerrno>
#include <cstring>
#endif

namespace nabla::cli {
namespace serve_command {  // this file's own names (a named namespace: the command is a unity build)

constexpr Message kDescription{"Serve the live training playground in the browser",
                               "Sirve el laboratorio de entrenamiento en vivo en el navegador"};
constexpr Message kPortHelp{"TCP port (0: any free port)", "Puerto TCP (0: cualquiera libre)"};
constexpr Message kHostHelp{"Address to listen on (127.0.0.1: this machine only)",
                            "Dirección en la que escuchar (127.0.0.1: solo esta máquina)"};
constexpr Message kAllowHostHelp{
    "Also accept this name in the Host header (repeatable; * for any). Requests naming another host "
    "are refused (DNS rebinding)",
    "Acepta también este nombre en la cabecera Host (repetible; * para cualquiera). Las peticiones a "
    "otro nombre se rechazan (DNS rebinding)"};
constexpr Message kMaxSessionsHelp{
    "Sessions (browser tabs) at once; more get 503 until idle ones expire (5 min)",
    "Sesiones (pestañas) a la vez; las demás reciben 503 hasta que expiren las inactivas (5 min)"};
constexpr Message kWorkersHelp{"Threads that train the playing sessions (0: one per hardware thread)",
                               "Hilos que entrenan las sesiones en marcha (0: uno por hilo del procesador)"};
constexpr Message kServeFooter{
    "Binding beyond loopback (--host 0.0.0.0 for a classroom) makes the playground reachable from other "
    "machines: requests must still name this server in their Host header (127.0.0.1, localhost, the --host "
    "address), so add the name students type with --allow-host NAME (the machine's name or address); requests "
    "that change something must come from no page or from the playground's own (Origin), else 403.",
    "Escuchar fuera de loopback (--host 0.0.0.0 para un aula) hace el laboratorio accesible desde otras "
    "máquinas: las peticiones deben nombrar este servidor en la cabecera Host (127.0.0.1, localhost, la "
    "dirección de --host), así que añada el nombre que teclean los alumnos con --allow-host NOMBRE; las "
    "peticiones que cambian algo deben venir de ninguna página o de la del propio laboratorio (Origin), si no 403."};
constexpr Message kListening{"playground at http://{}:{}/ (Ctrl-C to stop)",
                             "laboratorio en http://{}:{}/ (Ctrl-C para parar)"};
constexpr Message kExposed{"warning: listening on {}, reachable from other machines",
                           "aviso: escuchando en {}, accesible desde otras máquinas"};

struct Options {
  int port = 8080;
  std::string host = "127.0.0.1";
  std::vector<std::string> allowed_hosts;
  size_t max_sessions = 16;
  size_t workers = 0;
};

// Set by SIGINT/SIGTERM; the main thread notices it and stops the server (stopping joins
// threads, which a signal handler must not do).
volatile std::sig_atomic_t stop_requested = 0;
extern "C" void on_signal(int) { stop_requested = 1; }

#ifdef NABLA_SERVE_IN_PROCESS
int run(const Options& o, const Context& ctx) {
  serve::PlaygroundServer server({.host = o.host,
                                  .port = o.port,
                                  .max_sessions = o.max_sessions,
                                  .workers = o.workers,
                                  .allowed_hosts = o.allowed_hosts});
  int port = 0;
  try {
    port = server.start();
  } catch (const std::runtime_error& e) {  // a port in use, a host that is not this machine's: input
    throw CommandError(e.what(), 2);
  }
  if (o.host != "127.0.0.1" && o.host != "localhost" && o.host != "::1") std::cerr << ctx.tr(kExposed, o.host) << "\n";
  std::cout << ctx.tr(kListening, o.host, port) << std::endl;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  while (!stop_requested) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.stop();
  return 0;
}
#else
int run(const Options&, const Context&) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path program = (ec ? std::filesystem::path(".") : self.parent_path()) / "nabla-serve";
  std::vector<std::string> args = command_line();
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(program.c_str(), argv.data());  // returns only on failure
  throw CommandError("cannot start " + program.string() + " (" + std::strerror(errno) +
                     "): the playground is the program nabla-serve, installed next to nabla");
}
#endif

Action setup(CLI::App& app, const Context& ctx) {
  const Translator& tr = ctx.tr;
  auto o = std::make_shared<Options>();
  app.add_option("--port,-p", o->port, std::string(tr.text(kPortHelp)))->check(CLI::Range(0, 65535));
  app.add_option("--host", o->host, std::string(tr.text(kHostHelp)));
  app.add_option("--allow-host", o->allowed_hosts, std::string(tr.text(kAllowHostHelp)));
  app.add_option("--max-sessions", o->max_sessions, std::string(tr.text(kMaxSessionsHelp)))
      ->check(CLI::Range(size_t(1), size_t(10000)));
  app.add_option("--workers", o->workers, std::string(tr.text(kWorkersHelp)))
      ->check(CLI::Range(size_t(0), size_t(256)));
  app.footer(std::string(tr.text(kServeFooter)));
  return [o](const Context& c) { return run(*o, c); };
}

const bool registered = register_subcommand({"serve", kDescription, setup});

}  // namespace serve_command
}  // namespace nabla::cli
