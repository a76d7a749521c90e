// nabla/io/atomic_file.h — write a file so that readers see either the old or the new contents.
//
// Bytes go to a temporary file in the destination's directory (rename is atomic only within
// one file system); commit() fsyncs it, renames it over the destination and fsyncs the
// directory. Destroying an uncommitted writer (an exception half-way) deletes the temporary
// file, so a failed save never leaves a truncated checkpoint or clobbers the previous one.
//
//   nabla::AtomicFileWriter out("model.safetensors");
//   out.write(header.data(), header.size());
//   out.commit();
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>

namespace nabla {

class AtomicFileWriter {
 public:
  // Creates the temporary file; throws IOError (naming the path and errno text) on failure.
  explicit AtomicFileWriter(std::filesystem::path destination);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  // Appends bytes; throws IOError (disk full, file too large, ...).
  void write(const void* data, size_t nbytes);
  // fsync + rename over the destination + fsync of the directory. After it the writer is inert.
  void commit();

  const std::filesystem::path& destination() const { return destination_; }
  const std::filesystem::path& temporary_path() const { return temporary_; }

 private:
  void discard() noexcept;

  std::filesystem::path destination_;
  std::filesystem::path temporary_;
  int fd_ = -1;
  bool committed_ = false;
};

// Writes all `nbytes` bytes to the file descriptor `fd`, writing again after a signal (EINTR) or a
// short write. Returns 0, or the errno of the write that failed (EIO for one that wrote nothing);
// what failed to be written may be partly in the file: the caller takes it back (AtomicFileWriter
// discards its temporary file, the trainer's AppendFile truncates the record away).
int write_all(int fd, const void* data, size_t nbytes) noexcept;

// True for the name of an AtomicFileWriter's temporary file (".NAME.tmp.PID.N").
bool is_atomic_temporary_name(const std::string& filename);

// Removes the temporary files that writers killed mid-write (kill -9, power loss) left in `dir`:
// those whose process is gone. Returns how many it removed; errors are ignored.
int remove_stale_temporaries(const std::filesystem::path& dir);

}  // namespace nabla
