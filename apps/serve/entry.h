// apps/serve/entry.h — one browser tab's session as the server holds it (internal to apps/serve):
// the Session, whether it plays, its pace and what the workers know about it.
#pragma once
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "server.h"
#include "session/session.h"

namespace nabla::serve {

using Clock = std::chrono::steady_clock;

struct SessionEntry {
  explicit SessionEntry(SessionConfig c) : session(std::move(c)) {}
  std::mutex mutex;  // guards everything below but `waiting` and `queued`
  // Requests waiting for the mutex: the workers let them go first (std::mutex is not fair, and
  // on a busy machine a training loop that re-locks at once could starve them).
  std::atomic<int> waiting{0};
  // In the workers' queue or on a worker (guarded by the server's queue_mutex_).
  bool queued = false;
  Session session;
  // The network's outputs and neurons (every neuron: inputs, hidden, outputs), as of the last
  // request: how heavy a state request will be, judged before taking the lock.
  std::atomic<int64_t> outputs{1}, neurons{9};
  bool playing = false;
  std::string error;  // why training stopped, when it did
  Clock::time_point last_seen = Clock::now();

  // The pace: steps per second (nullopt: as fast as it goes). `allowance` is the steps due and not
  // yet taken, credited at the pace since `credited`; the workers take them.
  std::optional<double> pace = kDefaultPace;
  double allowance = 0;
  Clock::time_point credited = Clock::now();
  Clock::time_point next_due = Clock::now();  // when the next step is due (for the workers)
  bool behind = false;                        // its last turn ended with steps still due (or it runs free)
  // Steps per second, measured over windows of about a second of playing.
  double measured = 0;
  int64_t window_steps = 0;
  Clock::time_point window_start = Clock::now();

  // Updates `outputs` and `neurons` (the mutex held).
  void note_shape() {
    outputs = session.task() == Task::multiclass ? session.num_classes() : 1;
    int64_t n = int64_t(session.config().features.size()) + outputs;
    for (int64_t h : session.config().hidden) n += h;
    neurons = n;
  }

  // Starts playing (or goes on, with a new pace): one step due now, the rest at the pace.
  void start_pace(Clock::time_point now) {
    allowance = 1;
    credited = next_due = window_start = now;
    window_steps = 0;
  }
};

// Trains `e` (its mutex held) for the steps its pace has due, for `slice` at most, and sets when
// its next step is due. Returns whether it still plays. The workers call it, and so does a state
// request that finds its session playing (workers.cpp): the steps due go to whichever thread
// holds the session first, so a poll always shows the session's progress, also when the
// workers are busy with other sessions; the pace is kept either way.
bool train_due_locked(SessionEntry& e, Clock::duration slice);

}  // namespace nabla::serve
