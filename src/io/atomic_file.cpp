#include "nabla/io/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "nabla/error.h"

namespace nabla {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Unique within the process (counter) and across processes (pid); O_EXCL catches the rest.
std::filesystem::path temporary_name(const std::filesystem::path& destination) {
  static std::atomic<uint64_t> counter{0};
  std::filesystem::path dir = destination.parent_path();
  std::string name(".");
  name.append(destination.filename().string()).append(".tmp.").append(std::to_string(::getpid()));
  name.append(".").append(std::to_string(counter.fetch_add(1)));
  return dir.empty() ? std::filesystem::path(name) : dir / name;
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::filesystem::path destination) : destination_(std::move(destination)) {
  NABLA_CHECK(!destination_.filename().empty(), IOError, "cannot write '", destination_.string(),
              "': the path names a directory, not a file");
  for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
    temporary_ = temporary_name(destination_);
    // 0666 minus the umask: the same permissions a plain fopen would give the file.
    fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0 && errno != EEXIST) break;
  }
  if (fd_ < 0) {
    const int err = errno;
    throw IOError(detail::concat("cannot write '", destination_.string(),
                                 "': cannot create a temporary file in its directory: ", errno_text(err)));
  }
}

AtomicFileWriter::~AtomicFileWriter() {
  if (!committed_) discard();
}

void AtomicFileWriter::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
  temporary_.clear();
}

int write_all(int fd, const void* data, size_t nbytes) noexcept {
  const char* p = static_cast<const char*>(data);
  while (nbytes > 0) {
    const ssize_t n = ::write(fd, p, nbytes);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    p += n;
    nbytes -= static_cast<size_t>(n);
  }
  return 0;
}

void AtomicFileWriter::write(const void* data, size_t nbytes) {
  NABLA_CHECK(fd_ >= 0 && !committed_, IOError, "write to '", destination_.string(), "' after commit or failure");
  if (const int err = write_all(fd_, data, nbytes); err != 0) {
    discard();
    throw IOError(detail::concat("cannot write '", destination_.string(), "': ", errno_text(err),
                                 " (the previous file, if any, is unchanged)"));
  }
}

void AtomicFileWriter::commit() {
  NABLA_CHECK(fd_ >= 0 && !committed_, IOError, "commit of '", destination_.string(), "' after commit or failure");
  auto fail = [&](const char* what) {
    const int err = errno;
    discard();
    throw IOError(detail::concat("cannot write '", destination_.string(), "': ", what, ": ", errno_text(err),
                                 " (the previous file, if any, is unchanged)"));
  };
  // Without the fsync a crash after the rename could leave the new name pointing at an empty
  // file on file systems that reorder metadata and data writes (ext4 delalloc, xfs).
  if (::fsync(fd_) != 0) fail("fsync failed");
  if (::close(fd_) != 0) {
    fd_ = -1;
    fail("close failed");
  }
  fd_ = -1;
  if (::rename(temporary_.c_str(), destination_.c_str()) != 0) fail("rename failed");
  committed_ = true;
  // Make the rename itself durable. Failure here cannot be undone and the data is in place,
  // so it is not reported.
  std::filesystem::path dir = destination_.parent_path();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

bool is_atomic_temporary_name(const std::string& filename) {
  const size_t tmp = filename.rfind(".tmp.");
  if (filename.size() < 2 || filename[0] != '.' || tmp == std::string::npos || tmp < 2) return false;
  const std::string rest = filename.substr(tmp + 5);  // PID.N
  const size_t dot = rest.find('.');
  if (dot == 0 || dot == std::string::npos || dot + 1 == rest.size()) return false;
  for (size_t i = 0; i < rest.size(); ++i)
    if (i != dot && (rest[i] < '0' || rest[i] > '9')) return false;
  return true;
}

int remove_stale_temporaries(const std::filesystem::path& dir) {
  int removed = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!is_atomic_temporary_name(name)) continue;
    const std::string rest = name.substr(name.rfind(".tmp.") + 5);
    const std::string pid_text = rest.substr(0, rest.find('.'));
    if (pid_text.size() > 10) continue;  // beyond any pid
    const long long pid = std::stoll(pid_text);
    // A live writer (another process, or this one) keeps its file.
    if (pid == ::getpid() || (pid > 0 && pid < (1LL << 31) && (::kill(pid_t(pid), 0) == 0 || errno != ESRCH))) continue;
    std::error_code rm;
    if (std::filesystem::remove(it->path(), rm)) ++removed;
  }
  return removed;
}

}  // namespace nabla
