// The `nabla train` run directory (issue #16, items 4-9): a resumed run keeps its options, the
// checkpoint holds no history, every file comes out the same with or without crashes (kill -9,
// SIGINT, SIGTERM), --out never mixes two runs, and file-system problems are input errors.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "../cli/subprocess.h"
#include "nabla/io/safetensors.h"

namespace nabla::testing {
namespace {

namespace fs = std::filesystem;
const std::string kConfig = std::string(NABLA_SOURCE_DIR) + "/tests/train/resume_moons.toml";

std::vector<std::string> train_args(const fs::path& out, std::vector<std::string> extra = {}) {
  std::vector<std::string> a{"train", kConfig, "--out", out.string(), "-q"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

// Every file of `a` and of `b` (names and bytes) is the same.
void expect_same_files(const fs::path& a, const fs::path& b, const std::string& what) {
  std::vector<std::string> na, nb;
  for (const auto& e : fs::directory_iterator(a)) na.push_back(e.path().filename().string());
  for (const auto& e : fs::directory_iterator(b)) nb.push_back(e.path().filename().string());
  std::sort(na.begin(), na.end());
  std::sort(nb.begin(), nb.end());
  ASSERT_EQ(na, nb) << what;
  for (const std::string& n : na) EXPECT_TRUE(read_file(a / n) == read_file(b / n)) << what << ": " << n << " differs";
}

int64_t rows_of(const fs::path& csv) {
  const std::string s = read_file(csv);
  return std::count(s.begin(), s.end(), '\n') - 1;
}

std::string checkpoint_epoch(const fs::path& dir) {
  return load_safetensors(dir / "checkpoint.safetensors").metadata.at("epoch");
}

// `nabla ARGS` in the background, its output to files in `logs`.
pid_t spawn_cli(const std::vector<std::string>& args, const fs::path& logs) {
  std::vector<std::string> argv_s{NABLA_CLI_PATH};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out = (logs / "stdout").string(), err = (logs / "stderr").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  ::posix_spawn(&pid, NABLA_CLI_PATH, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

// Runs `args`, sends `sig` once metrics.csv in `out` holds `rows` epochs; returns the exit code
// (negative: killed by that signal).
int interrupt_after(const std::vector<std::string>& args, const fs::path& out, int64_t rows, int sig,
                    const fs::path& logs) {
  const pid_t pid = spawn_cli(args, logs);
  EXPECT_GT(pid, 0);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < give_up) {
    std::error_code ec;
    if (fs::exists(out / "metrics.csv", ec) && rows_of(out / "metrics.csv") >= rows) break;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ::kill(pid, sig);
  return wait_exit(pid);
}

// ---- item 4: a resumed run keeps every option ----

TEST(TrainRunDir, ResumedRunKeepsCheckpointing) {
  TempDir tmp;
  ASSERT_EQ(run_cli(train_args(tmp / "full", {"--checkpoint-every", "5", "--no-plots"})).exit_code, 0);
  CliResult first =
      run_cli(train_args(tmp / "cut", {"--checkpoint-every", "5", "--no-plots"}), {{"NABLA_TEST_KILL_AT_EPOCH", "7"}});
  ASSERT_EQ(first.signal, SIGKILL);
  EXPECT_EQ(checkpoint_epoch(tmp / "cut"), "5");
  // The resumed run dies again at epoch 13: it must have checkpointed at 10 on its own.
  CliResult second = run_cli({"train", "--resume", (tmp / "cut").string(), "-q"}, {{"NABLA_TEST_KILL_AT_EPOCH", "13"}});
  ASSERT_EQ(second.signal, SIGKILL) << second.err;
  EXPECT_EQ(checkpoint_epoch(tmp / "cut"), "10");
  EXPECT_FALSE(fs::exists(tmp / "cut" / "loss.png")) << "--no-plots is kept too";
  CliResult third = run_cli({"train", "--resume", (tmp / "cut").string(), "-q"});
  ASSERT_EQ(third.exit_code, 0) << third.err;
  expect_same_files(tmp / "cut", tmp / "full", "after two crashes");
  const std::string run = read_file(tmp / "cut" / "run.json");
  EXPECT_NE(run.find("\"checkpoint_every\": 5"), std::string::npos) << run;
  // --set overrides are part of the stored config: the resumed run trains the same model.
  ASSERT_EQ(run_cli(train_args(tmp / "set-full", {"--set", "optim.lr=0.02", "--no-plots"})).exit_code, 0);
  ASSERT_EQ(run_cli(train_args(tmp / "set-cut", {"--set", "optim.lr=0.02", "--no-plots"}),
                    {{"NABLA_TEST_KILL_AT_EPOCH", "4"}})
                .signal,
            SIGKILL);
  ASSERT_EQ(run_cli({"train", "--resume", (tmp / "set-cut").string(), "-q"}).exit_code, 0);
  expect_same_files(tmp / "set-cut", tmp / "set-full", "--set and no checkpoint");
  // Options cannot change on resume: they are the run's.
  CliResult changed = run_cli({"train", "--resume", (tmp / "cut").string(), "--checkpoint-every", "2"});
  EXPECT_EQ(changed.exit_code, 2);
  EXPECT_NE(changed.err.find("--checkpoint-every"), std::string::npos) << changed.err;
  ASSERT_EQ(run_cli(train_args(tmp / "plots", {"--set", "train.epochs=3"}), {{"NABLA_TEST_KILL_AT_EPOCH", "2"}}).signal,
            SIGKILL);
  CliResult no_plots = run_cli({"train", "--resume", (tmp / "plots").string(), "--no-plots"});
  EXPECT_EQ(no_plots.exit_code, 2);
  EXPECT_NE(no_plots.err.find("--no-plots"), std::string::npos) << no_plots.err;
  EXPECT_FALSE(fs::exists(tmp / "plots" / "model.safetensors"));
}

// ---- item 5: metrics are streamed; checkpoints hold no history ----

TEST(TrainRunDir, MetricsAreStreamedAndCheckpointsStaySmall) {
  TempDir tmp;
  CliResult cut =
      run_cli(train_args(tmp / "cut", {"--checkpoint-every", "1", "--no-plots"}), {{"NABLA_TEST_KILL_AT_EPOCH", "3"}});
  ASSERT_EQ(cut.signal, SIGKILL);
  EXPECT_EQ(rows_of(tmp / "cut" / "metrics.csv"), 3) << "the epochs done before the crash are on disk";
  const auto early = fs::file_size(tmp / "cut" / "checkpoint.safetensors");
  ASSERT_EQ(run_cli(train_args(tmp / "full", {"--checkpoint-every", "1", "--no-plots"})).exit_code, 0);
  const auto late = fs::file_size(tmp / "full" / "checkpoint.safetensors");
  EXPECT_EQ(checkpoint_epoch(tmp / "full"), "30");
  EXPECT_EQ(load_safetensors(tmp / "full" / "checkpoint.safetensors").metadata.count("metrics"), 0u);
  // Epoch 30 vs epoch 3: only a few digits (epoch, optimizer step counts) may differ.
  EXPECT_LT(late, early + 64) << "the checkpoint grows with the epochs";
}

// ---- item 6: boundary.gif and every other file survive a crash ----

TEST(TrainRunDir, EveryFileIsTheSameAfterACrashWithPlots) {
  TempDir tmp;
  const std::vector<std::string> opt{"--checkpoint-every", "4", "--set", "train.gif_every=3"};
  ASSERT_EQ(run_cli(train_args(tmp / "full", opt)).exit_code, 0);
  ASSERT_EQ(run_cli(train_args(tmp / "cut", opt), {{"NABLA_TEST_KILL_AT_EPOCH", "14"}}).signal, SIGKILL);
  ASSERT_EQ(run_cli({"train", "--resume", (tmp / "cut").string(), "-q"}).exit_code, 0);
  expect_same_files(tmp / "cut", tmp / "full", "kill -9 at 14, checkpoint at 12");
  // Resuming a finished run changes nothing.
  CliResult again = run_cli({"train", "--resume", (tmp / "cut").string()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("finished"), std::string::npos) << again.out;
  expect_same_files(tmp / "cut", tmp / "full", "resume of a finished run");
}

// ---- item 7: an --out directory holds one run ----

TEST(TrainRunDir, OutDirectoryOfSomethingElseIsRefused) {
  TempDir tmp;
  fs::create_directories(tmp / "mine");
  { std::ofstream(tmp / "mine" / "notes.txt") << "keep me"; }
  CliResult r = run_cli(train_args(tmp / "mine", {"--no-plots"}));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find((tmp / "mine").string()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("another --out"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(tmp / "mine" / "notes.txt"), "keep me");
  EXPECT_FALSE(fs::exists(tmp / "mine" / "config.toml"));
  CliResult forced = run_cli(train_args(tmp / "mine", {"--no-plots", "--force"}));
  EXPECT_EQ(forced.exit_code, 2) << "--force never deletes files nabla did not write";
  EXPECT_EQ(read_file(tmp / "mine" / "notes.txt"), "keep me");
}

TEST(TrainRunDir, OutDirectoryOfARunIsRefusedUnlessForced) {
  TempDir tmp;
  ASSERT_EQ(run_cli(train_args(tmp / "a", {"--set", "train.epochs=3"})).exit_code, 0);
  const std::string loss_png = read_file(tmp / "a" / "loss.png");
  // The same config, finished: --force.
  CliResult same = run_cli(train_args(tmp / "a", {"--set", "train.epochs=3", "--no-plots"}));
  EXPECT_EQ(same.exit_code, 2);
  EXPECT_NE(same.err.find("finished run"), std::string::npos) << same.err;
  EXPECT_NE(same.err.find("--force"), std::string::npos) << same.err;
  // Another config: never mixed.
  CliResult other = run_cli(train_args(tmp / "a", {"--set", "train.epochs=4", "--no-plots"}));
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("another run"), std::string::npos) << other.err;
  EXPECT_EQ(rows_of(tmp / "a" / "metrics.csv"), 3);
  EXPECT_EQ(read_file(tmp / "a" / "loss.png"), loss_png);
  // --force starts clean: no stale plots of the old run are left.
  CliResult forced = run_cli(train_args(tmp / "a", {"--set", "train.epochs=4", "--no-plots", "--force"}));
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(rows_of(tmp / "a" / "metrics.csv"), 4);
  EXPECT_FALSE(fs::exists(tmp / "a" / "loss.png"));
  EXPECT_EQ(forced.out.find("loss.png"), std::string::npos) << "a stale plot reported as written";
  // An unfinished run: --resume.
  ASSERT_EQ(run_cli(train_args(tmp / "b", {"--no-plots"}), {{"NABLA_TEST_KILL_AT_EPOCH", "2"}}).signal, SIGKILL);
  CliResult unfinished = run_cli(train_args(tmp / "b", {"--no-plots"}));
  EXPECT_EQ(unfinished.exit_code, 2);
  EXPECT_NE(unfinished.err.find("--resume " + (tmp / "b").string()), std::string::npos) << unfinished.err;
  // An older run directory (no run.json): --force, not silently replaced.
  fs::remove(tmp / "a" / "run.json");
  CliResult old_run = run_cli(train_args(tmp / "a", {"--set", "train.epochs=4", "--no-plots"}));
  EXPECT_EQ(old_run.exit_code, 2);
  EXPECT_NE(old_run.err.find("--force"), std::string::npos) << old_run.err;
  EXPECT_TRUE(fs::exists(tmp / "a" / "model.safetensors"));
}

// ---- item 8: file-system problems with --out are input errors naming the path ----

TEST(TrainRunDir, OutPathProblemsAreInputErrors) {
  TempDir tmp;
  { std::ofstream(tmp / "file") << "x"; }
  fs::create_symlink(tmp / "nowhere" / "x", tmp / "dangling");
  std::vector<fs::path> bad{tmp / "file", tmp / "file" / "sub", tmp / "dangling", "/proc/nabla-run-test"};
  fs::create_directories(tmp / "ro");
  fs::permissions(tmp / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  if (::access((tmp / "ro").c_str(), W_OK) != 0) bad.push_back(tmp / "ro" / "run");  // root writes anyway
  for (const fs::path& out : bad) {
    CliResult r = run_cli(train_args(out, {"--no-plots"}));
    EXPECT_EQ(r.exit_code, 2) << out << ": " << r.err;
    EXPECT_NE(r.err.find(out.string()), std::string::npos) << out << ": " << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  }
  EXPECT_EQ(read_file(tmp / "file"), "x");
  fs::permissions(tmp / "ro", fs::perms::owner_all);
}

// ---- item 9: SIGINT / SIGTERM stop after the epoch, keep everything, say how to resume ----

TEST(TrainRunDir, SignalStopsCleanlyAndTheRunResumes) {
  TempDir tmp;
  const std::vector<std::string> opt{"--set", "train.epochs=1000", "--set", "train.gif_every=200"};
  ASSERT_EQ(run_cli(train_args(tmp / "full", opt)).exit_code, 0);
  for (int sig : {SIGINT, SIGTERM}) {
    const fs::path cut = tmp / ("cut" + std::to_string(sig));
    const int code = interrupt_after(train_args(cut, opt), cut, 5, sig, tmp.path);
    EXPECT_EQ(code, 128 + sig) << read_file(tmp / "stderr");
    const std::string err = read_file(tmp / "stderr");
    EXPECT_NE(err.find("nabla train --resume " + cut.string()), std::string::npos) << err;
    const int64_t rows = rows_of(cut / "metrics.csv");
    EXPECT_GE(rows, 5);
    EXPECT_LT(rows, 1000);
    // What a finished epoch writes: metrics, a checkpoint at that epoch, the plots so far.
    EXPECT_EQ(checkpoint_epoch(cut), std::to_string(rows));
    for (const char* f : {"loss.png", "grad_norms.png", "boundary.png", "boundary.gif"})
      EXPECT_TRUE(fs::exists(cut / f)) << f;
    EXPECT_FALSE(fs::exists(cut / "model.safetensors"));
    CliResult resumed = run_cli({"train", "--resume", cut.string(), "-q"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    // Without checkpointing, the checkpoint the signal wrote is gone once the run is done.
    expect_same_files(cut, tmp / "full", "signal " + std::to_string(sig));
  }
}

// ---- kill -9 during a checkpoint write: the stray temporary file goes at the next start ----

TEST(TrainRunDir, StaleTemporaryFilesAreRemovedOnResume) {
  TempDir tmp;
  ASSERT_EQ(run_cli(train_args(tmp / "full", {"--no-plots", "--checkpoint-every", "2"})).exit_code, 0);
  ASSERT_EQ(
      run_cli(train_args(tmp / "cut", {"--no-plots", "--checkpoint-every", "2"}), {{"NABLA_TEST_KILL_AT_EPOCH", "5"}})
          .signal,
      SIGKILL);
  // What a writer killed between open and rename leaves (pid beyond any pid_max: long gone).
  const fs::path stray = tmp / "cut" / ".checkpoint.safetensors.tmp.2147483647.0";
  { std::ofstream(stray) << "half a checkpoint"; }
  CliResult resumed = run_cli({"train", "--resume", (tmp / "cut").string(), "-q"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_FALSE(fs::exists(stray));
  expect_same_files(tmp / "cut", tmp / "full", "stray temporary");
}

// ---- a damaged checkpoint epoch is an input error, not "internal error" ----

TEST(TrainRunDir, CheckpointWithABadEpochIsRefused) {
  TempDir tmp;
  ASSERT_EQ(
      run_cli(train_args(tmp / "run", {"--no-plots", "--checkpoint-every", "2"}), {{"NABLA_TEST_KILL_AT_EPOCH", "3"}})
          .signal,
      SIGKILL);
  const fs::path ckpt = tmp / "run" / "checkpoint.safetensors";
  SafetensorsFile file = load_safetensors(ckpt);
  NamedTensors tensors;
  for (const std::string& n : file.names()) tensors.push_back({n, file.at(n)});
  for (const char* epoch : {"-5", "99999999999999999999999", "31", "2x"}) {
    std::map<std::string, std::string> meta = file.metadata;
    meta["epoch"] = epoch;
    save_safetensors(ckpt, tensors, meta);
    CliResult r = run_cli({"train", "--resume", (tmp / "run").string(), "-q"});
    EXPECT_EQ(r.exit_code, 2) << epoch << ": " << r.err;
    EXPECT_NE(r.err.find("epoch \"" + std::string(epoch) + "\""), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(ckpt.string()), std::string::npos) << r.err;
  }
}

// ---- fault injection: kill -9 and SIGINT at random moments, with and without checkpoints ----

// Runs `args` (a fresh run into `out`, or a resume of it) and stops it at a random moment:
// kill -9 at the end of a random epoch (NABLA_TEST_KILL_AT_EPOCH), or kill -9 / SIGINT a random
// time after a random number of epochs (mid-epoch, mid-checkpoint, at start-up...). Returns the
// exit code (negative: the signal that ended it).
int stop_at_random(std::mt19937& rng, const std::vector<std::string>& args, const fs::path& out, const fs::path& logs,
                   std::string& how) {
  std::error_code ec;
  const int64_t done = fs::exists(out / "metrics.csv", ec) ? rows_of(out / "metrics.csv") : 0;
  const int mode = std::uniform_int_distribution<int>(0, 2)(rng);
  const int64_t at = done + std::uniform_int_distribution<int>(0, 8)(rng);
  if (mode == 0) {
    how = "kill -9 after epoch " + std::to_string(at + 1);
    return run_cli(args, {{"NABLA_TEST_KILL_AT_EPOCH", std::to_string(at + 1)}}).exit_code == 0 ? 0 : -SIGKILL;
  }
  const int sig = mode == 1 ? SIGKILL : SIGINT;
  const int delay_us = std::uniform_int_distribution<int>(0, 3000)(rng);
  how = std::string(mode == 1 ? "kill -9" : "SIGINT") + " " + std::to_string(delay_us) + " us after " +
        std::to_string(at) + " epochs";
  const pid_t pid = spawn_cli(args, logs);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < give_up) {
    if (fs::exists(out / "metrics.csv", ec) && rows_of(out / "metrics.csv") >= at) break;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
  ::kill(pid, sig);
  return wait_exit(pid);
}

TEST(TrainFaultInjection, EveryResumedRunEqualsTheUninterruptedOne) {
  TempDir tmp;
  // NABLA_FAULT_SEED=N explores other interruption patterns (the default one is fixed).
  const char* seed_env = std::getenv("NABLA_FAULT_SEED");
  std::mt19937 rng(seed_env ? std::uint32_t(std::strtoul(seed_env, nullptr, 10)) : 20261206u);
  struct Setting {
    const char* every;
    bool plots;
    int seeds;
  };
  // Without checkpoints, with, and with the plots (boundary.gif frames) as well.
  for (const Setting& setting : {Setting{"0", false, 4}, Setting{"3", false, 4}, Setting{"4", true, 2}}) {
    const char* every = setting.every;
    std::vector<std::string> opt{"--checkpoint-every", every, "--set", "train.gif_every=5"};
    if (!setting.plots) opt.push_back("--no-plots");
    const fs::path full = tmp / (std::string("full") + every);
    ASSERT_EQ(run_cli(train_args(full, opt)).exit_code, 0);
    for (int seed = 0; seed < setting.seeds; ++seed) {
      const fs::path cut = tmp / ("cut" + std::string(every) + "-" + std::to_string(seed));
      std::string story;
      // Up to three interruptions, then a resume to the end.
      int code = -1;
      for (int crash = 0; crash < 3 && code != 0; ++crash) {
        std::error_code ec;
        // Killed before run.json was written: the user runs the same command again.
        const bool started = fs::exists(cut / "run.json", ec);
        const std::vector<std::string> args =
            started ? std::vector<std::string>{"train", "--resume", cut.string(), "-q"} : train_args(cut, opt);
        std::string how;
        code = stop_at_random(rng, args, cut, tmp.path, how);
        story += how + " → " + std::to_string(code) + "; ";
        ASSERT_TRUE(code == 0 || code == 130 || code == -SIGKILL || code == -SIGINT)
            << story << read_file(tmp / "stderr");
      }
      if (code != 0) {
        std::error_code ec;
        CliResult r = fs::exists(cut / "run.json", ec) ? run_cli({"train", "--resume", cut.string(), "-q"})
                                                       : run_cli(train_args(cut, opt));
        ASSERT_EQ(r.exit_code, 0) << story << r.err;
      }
      expect_same_files(cut, full, "every " + std::string(every) + ": " + story);
    }
  }
}

}  // namespace
}  // namespace nabla::testing
