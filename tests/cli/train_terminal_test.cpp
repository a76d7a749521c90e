// `nabla train` on a terminal (issue #19): under a pseudo-terminal of 60, 80 and 200 columns the
// screen ends with one progress-bar line and one summary, no wrapped fragments of the bar; the bar
// is redrawn at most ~10 times a second; with -q nothing is printed.
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "subprocess.h"

namespace nabla::testing {
namespace {

namespace fs = std::filesystem;

// What a terminal of `cols` columns shows after `bytes`: "\r", "\n", CSI K (erase to the end of
// the line), other CSI sequences ignored, and automatic wrapping when a character is written past
// the last column (the row it continues is marked `wrapped`).
struct Screen {
  struct Row {
    std::u32string text;
    bool continues = false;  // the previous row wrapped into this one
  };
  std::vector<Row> rows{1};
  size_t row = 0, col = 0;
  int cols;

  explicit Screen(int c) : cols(c) {}

  void feed(const std::string& bytes) {
    for (size_t i = 0; i < bytes.size();) {
      const unsigned char c = bytes[i];
      if (c == '\r') {
        col = 0, ++i;
      } else if (c == '\n') {
        new_row(false), ++i;
      } else if (c == 0x1b && i + 1 < bytes.size() && bytes[i + 1] == '[') {
        size_t j = i + 2;
        while (j < bytes.size() && !(bytes[j] >= 0x40 && bytes[j] <= 0x7e)) ++j;
        if (j < bytes.size() && bytes[j] == 'K' && j == i + 2 && col < rows[row].text.size())
          rows[row].text.resize(col);
        i = j + 1;
      } else {
        size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (col == size_t(cols)) new_row(true);
        std::u32string& t = rows[row].text;
        if (t.size() <= col) t.resize(col + 1, U' ');
        t[col++] = c;  // the first byte stands for the code point: only columns matter here
        i += n;
      }
    }
  }
  void new_row(bool wrap) {
    ++row, col = 0;
    if (rows.size() <= row) rows.push_back({});
    rows[row].continues = wrap;
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const Row& r : rows) {
      std::string s;
      for (char32_t c : r.text) s += c < 0x80 ? char(c) : '?';
      while (!s.empty() && s.back() == ' ') s.pop_back();
      out.push_back(s);
    }
    while (!out.empty() && out.back().empty()) out.pop_back();
    return out;
  }
};

struct PtyRun {
  int exit_code = -1;
  std::string bytes;
  double seconds = 0;
};

// Runs `nabla ARGS` in `dir` on a pseudo-terminal of `cols` columns (stdout and stderr both);
// with resize_to > 0 the terminal shrinks to that many columns once the first bytes arrive.
PtyRun run_on_pty(const std::vector<std::string>& args, const fs::path& dir, int cols, int resize_to = 0) {
  struct winsize ws {};
  ws.ws_col = static_cast<unsigned short>(cols);
  ws.ws_row = 50;
  int master = -1;
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = forkpty(&master, nullptr, nullptr, &ws);
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) _exit(126);
    std::vector<std::string> a{NABLA_CLI_PATH};
    a.insert(a.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : a) argv.push_back(s.data());
    argv.push_back(nullptr);
    setenv("TERM", "xterm", 1);
    execv(argv[0], argv.data());
    _exit(127);
  }
  PtyRun r;
  if (pid < 0) return r;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(master, buf, sizeof buf);
    if (n > 0) {
      r.bytes.append(buf, size_t(n));
      if (resize_to > 0) {
        struct winsize small = ws;
        small.ws_col = static_cast<unsigned short>(resize_to);
        ioctl(master, TIOCSWINSZ, &small);  // the child gets SIGWINCH; the bar reads the width again
        resize_to = 0;
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // EIO: the child closed the terminal
  }
  int status = 0;
  waitpid(pid, &status, 0);
  close(master);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

bool is_bar(const std::string& line) {
  return line.find("steps/s") != std::string::npos && line.find("ETA") != std::string::npos;
}

class TrainTerminal : public ::testing::TestWithParam<int> {};

TEST_P(TrainTerminal, EndsWithOneBarLineAndOneSummary) {
  const int cols = GetParam();
  TempDir tmp;
  fs::copy_file(std::string(NABLA_SOURCE_DIR) + "/tests/train/resume_moons.toml", tmp / "c.toml");
  const int64_t epochs = 1500;
  PtyRun r =
      run_on_pty({"train", "c.toml", "--out", "r", "--no-plots", "--set", "train.epochs=" + std::to_string(epochs)},
                 tmp.path, cols);
  ASSERT_EQ(r.exit_code, 0) << r.bytes;
  Screen screen(cols);
  screen.feed(r.bytes);
  const std::vector<std::string> lines = screen.lines();
  std::string shown;
  for (const std::string& l : lines) shown += "|" + l + "\n";

  // start line, bar, summary, then one "wrote" line per file; only the start line and the
  // summary (plain text, not the bar) may wrap on a narrow terminal.
  int bars = 0, summaries = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (is_bar(l)) {
      ++bars;
      EXPECT_FALSE(screen.rows[i].continues) << shown;
      EXPECT_LT(l.size(), size_t(cols)) << "the bar reaches the last column\n" << shown;
      ASSERT_LT(i + 1, lines.size()) << shown;
      EXPECT_FALSE(screen.rows[i + 1].continues) << "the bar wrapped\n" << shown;
      EXPECT_NE(l.find("epoch " + std::to_string(epochs) + "/" + std::to_string(epochs)), std::string::npos) << shown;
      EXPECT_NE(l.find("loss"), std::string::npos) << shown;
    } else if (l.rfind("final: ", 0) == 0) {
      ++summaries;
      std::string whole = l;  // with the rows it wrapped into
      for (size_t j = i + 1; j < lines.size() && screen.rows[j].continues; ++j) whole += lines[j];
      // (a row loses its trailing space where the summary wraps, so no space after "plots")
      EXPECT_NE(whole.find("steps/s); plots"), std::string::npos) << shown;
      EXPECT_NE(whole.find("files"), std::string::npos) << shown;
    } else if (!screen.rows[i].continues) {
      EXPECT_TRUE(l.rfind("training ", 0) == 0 || l.rfind("wrote r/", 0) == 0) << "unexpected line '" << l << "'\n"
                                                                               << shown;
    }
  }
  EXPECT_EQ(bars, 1) << shown;
  EXPECT_EQ(summaries, 1) << shown;
  size_t first_bar = 1;  // right after the start line (and the rows it wrapped into)
  while (first_bar < lines.size() && screen.rows[first_bar].continues) ++first_bar;
  EXPECT_TRUE(first_bar < lines.size() && is_bar(lines[first_bar])) << shown;

  // At most ~10 redraws a second (plus the first and the last), not one per epoch.
  size_t redraws = 0;
  for (size_t p = 0; (p = r.bytes.find("\r", p)) != std::string::npos; ++p)
    if (p + 1 < r.bytes.size() && r.bytes[p + 1] != '\n') ++redraws;
  EXPECT_LE(double(redraws), 10 * r.seconds + 3) << redraws << " redraws in " << r.seconds << " s";
  EXPECT_LT(redraws, size_t(epochs / 4));
}

INSTANTIATE_TEST_SUITE_P(Columns, TrainTerminal, ::testing::Values(60, 80, 200));

// A terminal made narrower during training: the bar's later redraws fit the new width.
TEST(TrainTerminal, BarFollowsAResize) {
  TempDir tmp;
  fs::copy_file(std::string(NABLA_SOURCE_DIR) + "/tests/train/resume_moons.toml", tmp / "c.toml");
  PtyRun r =
      run_on_pty({"train", "c.toml", "--out", "r", "--no-plots", "--set", "train.epochs=1500"}, tmp.path, 200, 50);
  ASSERT_EQ(r.exit_code, 0) << r.bytes;
  // The last drawing of the bar: the text between its "\r" and the erase-to-end "\033[K".
  const size_t end = r.bytes.rfind("\033[K");
  ASSERT_NE(end, std::string::npos) << r.bytes;
  const size_t begin = r.bytes.rfind('\r', end);
  ASSERT_NE(begin, std::string::npos);
  const std::string last = r.bytes.substr(begin + 1, end - begin - 1);
  EXPECT_NE(last.find("epoch 1500/1500 loss"), std::string::npos) << last;
  size_t cols = 0;
  for (unsigned char c : last) cols += (c & 0xC0) != 0x80;
  EXPECT_LT(cols, 50u) << last;
}

TEST(TrainTerminal, QuietPrintsNothing) {
  TempDir tmp;
  fs::copy_file(std::string(NABLA_SOURCE_DIR) + "/tests/train/resume_moons.toml", tmp / "c.toml");
  PtyRun r = run_on_pty({"train", "c.toml", "--out", "r", "--no-plots", "-q"}, tmp.path, 80);
  ASSERT_EQ(r.exit_code, 0) << r.bytes;
  EXPECT_EQ(r.bytes, "");
  EXPECT_TRUE(fs::exists(tmp / "r" / "model.safetensors"));
}

TEST(TrainTerminal, QuietStillReportsErrors) {
  TempDir tmp;
  PtyRun r = run_on_pty({"train", "missing.toml", "--out", "r", "-q"}, tmp.path, 80);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.bytes.find("missing.toml"), std::string::npos) << r.bytes;
}

// Not a terminal: no bar, one line every N epochs and the summary, as a log wants.
TEST(TrainTerminal, PipedOutputHasNoBar) {
  TempDir tmp;
  CliResult r = run_cli({"train", std::string(NABLA_SOURCE_DIR) + "/tests/train/resume_moons.toml", "--out",
                         (tmp / "r").string(), "--no-plots"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find('\r'), std::string::npos);
  EXPECT_EQ(r.err.find('\r'), std::string::npos);
  EXPECT_NE(r.out.find("epoch 30 loss"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("final: loss"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace nabla::testing
