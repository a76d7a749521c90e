#include "files.h"

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "command.h"
#include "nabla/io/atomic_file.h"

extern char** environ;

namespace nabla::cli {

namespace {

constexpr Message kDotMissing{
    "Graphviz's 'dot' program was not found on PATH, so no SVG can be drawn; install Graphviz "
    "(apt install graphviz) or write the DOT source with --dot FILE",
    "no se encontró el programa 'dot' de Graphviz en el PATH, así que no se puede dibujar el SVG; "
    "instala Graphviz (apt install graphviz) o escribe el código DOT con --dot ARCHIVO"};
constexpr Message kDotFailed{"Graphviz's dot failed ({}); no SVG was written",
                             "el programa dot de Graphviz falló ({}); no se escribió el SVG"};

// Deletes the temporary DOT file on every way out.
struct TempFile {
  std::string path;
  ~TempFile() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

}  // namespace

void write_file(const std::string& path, const std::string& contents) {
  AtomicFileWriter out(path);
  out.write(contents.data(), contents.size());
  out.commit();
}

std::string find_executable(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (!path) return "";
  std::string dirs = path;
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + name;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return "";
}

std::string render_svg(const std::string& dot_source, const Translator& tr) {
  const std::string dot = find_executable("dot");
  if (dot.empty()) throw CommandError(tr(kDotMissing));

  // The source goes through a file rather than dot's stdin: writing stdin while dot fills its
  // stdout pipe could deadlock a single-threaded parent.
  const char* tmpdir = std::getenv("TMPDIR");
  std::string pattern = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/nabla-graph-XXXXXX";
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0)
    throw CommandError(tr(kDotFailed, std::string("cannot create a temporary file: ") + std::strerror(errno)));
  TempFile source{pattern};
  for (size_t done = 0; done < dot_source.size();) {
    const ssize_t n = ::write(fd, dot_source.data() + done, dot_source.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw CommandError(tr(kDotFailed, std::string("cannot write a temporary file: ") + std::strerror(errno)));
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);

  int pipe_fd[2];
  if (::pipe(pipe_fd) != 0) throw CommandError(tr(kDotFailed, std::strerror(errno)));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fd[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fd[0]);
  posix_spawn_file_actions_addclose(&actions, pipe_fd[1]);
  std::string arg0 = "dot", arg1 = "-Tsvg";
  char* argv[] = {arg0.data(), arg1.data(), source.path.data(), nullptr};
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, dot.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fd[1]);
  if (spawned != 0) {
    ::close(pipe_fd[0]);
    throw CommandError(tr(kDotFailed, std::strerror(spawned)));
  }
  std::string svg;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(pipe_fd[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    svg.append(buf, static_cast<size_t>(n));
  }
  ::close(pipe_fd[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string why = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                        : "killed by signal " + std::to_string(WTERMSIG(status));
    throw CommandError(tr(kDotFailed, why));
  }
  return svg;
}

}  // namespace nabla::cli
