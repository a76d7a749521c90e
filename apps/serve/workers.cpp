// The workers that train the playing sessions, each at its pace; starting and stopping the server.
//
// Playing sessions wait in one queue. A worker takes a session whose next step is due, trains it
// for what its pace allows (at most a short slice, and never while a request waits for it), and
// puts it back; one worker per session at a time. Sessions whose pace the machine keeps get their
// steps when due; those it cannot keep (and those running free) share the rest in turn (round
// robin). When none is due a worker sleeps until the earliest is.
#include <httplib.h>
#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include "connection.h"
#include "entry.h"
#include "server.h"

namespace nabla::serve {

namespace {

using namespace std::chrono_literals;

// The longest a worker trains one session before taking the next (requests for it wait at most
// this long, as do the other sessions).
constexpr auto kSlice = 2ms;
// A paced session keeps at most this much of its pace in hand: after a stall (a busy machine, a
// long request) it does not run a burst of steps to catch up.
constexpr double kMaxCatchUpSeconds = 0.25;

}  // namespace

bool train_due_locked(SessionEntry& e, Clock::duration slice) {
  if (!e.playing) return false;
  auto now = Clock::now();
  if (e.pace) {
    const double dt = std::chrono::duration<double>(now - e.credited).count();
    e.allowance = std::min(e.allowance + dt * *e.pace, std::max(1.0, *e.pace * kMaxCatchUpSeconds));
  }
  e.credited = now;
  const auto start = now;
  int64_t done = 0;
  try {
    while ((!e.pace || e.allowance >= 1) && e.waiting == 0 && now - start < slice) {
      e.session.train_batches(1);
      ++done;
      if (e.pace) e.allowance -= 1;
      now = Clock::now();
    }
  } catch (const std::exception& ex) {
    e.playing = false;
    e.error = ex.what();
  }
  e.window_steps += done;
  const double window = std::chrono::duration<double>(now - e.window_start).count();
  if (window >= 1.0) {
    e.measured = double(e.window_steps) / window;
    e.window_steps = 0;
    e.window_start = now;
  }
  e.behind = !e.pace || e.allowance >= 1;
  e.next_due = e.behind ? now
                        : now + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>((1 - e.allowance) / *e.pace));
  return e.playing;
}

namespace {

// Trains `e` for what is due, a slice at most. Returns false when it no longer plays.
bool train_due(SessionEntry& e) {
  std::lock_guard lock(e.mutex);
  return train_due_locked(e, kSlice);
}

}  // namespace

void PlaygroundServer::enqueue(const std::shared_ptr<SessionEntry>& e) {
  // A server that was not started (handle() alone: tests, fuzz/fuzz_serve.cpp) has no workers to
  // take a session from the queue, which would hold it for ever, deleted or not (found by
  // fuzz_serve, whose one server per process kept every session it played). There a state
  // request trains what is due (state_of).
  if (!running_) return;
  {
    std::lock_guard lock(queue_mutex_);
    if (e->queued) return;
    e->queued = true;
    queue_.push_back(e);
  }
  queue_ready_.notify_one();
}

void PlaygroundServer::worker_loop() {
  while (running_) {
    std::shared_ptr<SessionEntry> e;
    {
      std::unique_lock lock(queue_mutex_);
      const auto now = Clock::now();
      // Max-min fairness: a session that kept its pace at its last turn (it had taken every step
      // due) gets its next step when due, first; the sessions behind their pace (and those
      // running free) share what is left, in turn: the one waiting longest first.
      auto due = queue_.end();
      auto before = [](const SessionEntry& a, const SessionEntry& b) {
        return a.behind != b.behind ? !a.behind : a.next_due.load() < b.next_due.load();
      };
      for (auto it = queue_.begin(); it != queue_.end(); ++it)
        if ((*it)->next_due.load() <= now && (*it)->waiting == 0 && (due == queue_.end() || before(**it, **due)))
          due = it;
      if (due == queue_.end()) {
        // Nothing due: sleep until the earliest is (at most 10 ms: a new session wakes us).
        auto until = now + 10ms;
        for (const auto& q : queue_) until = std::min(until, std::max(q->next_due.load(), now + 1ms));
        queue_ready_.wait_until(lock, until);
        continue;
      }
      e = *due;
      queue_.erase(due);
    }
    const bool playing = train_due(*e);
    bool more;
    {
      std::lock_guard lock(queue_mutex_);
      if (playing)
        queue_.push_back(e);
      else
        e->queued = false;
      more = !queue_.empty();
    }
    if (more) queue_ready_.notify_one();
  }
}

// Drops sessions nobody polled for longer than the timeout.
void PlaygroundServer::expire_loop() {
  while (running_) {
    {
      std::lock_guard lock(sessions_mutex_);
      const auto now = Clock::now();
      std::erase_if(sessions_, [&](const auto& kv) {
        std::lock_guard entry_lock(kv.second->mutex);
        const bool expired = now - kv.second->last_seen > options_.idle_timeout;
        if (expired) kv.second->playing = false;  // a worker holding it lets it go
        return expired;
      });
    }
    std::this_thread::sleep_for(100ms);
  }
}

int PlaygroundServer::start() {
  const int port = options_.port == 0 ? http_->bind_to_any_port(options_.host)
                                      : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port <= 0)
    throw std::runtime_error("cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                             bind_problem(options_.host, options_.port));
  // Replies and grids of a few MB come and go: with glibc's default (a threshold that grows to
  // the largest block freed) they end up in the heap, which keeps them after they are freed. A
  // fixed threshold serves them by mmap, and hands them back at once (the memory bound of
  // tests/serve/hardening_test.cpp). Process-wide: nabla-serve is the server's own program.
  ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  running_ = true;
  listener_ = std::thread([this] { http_->listen_after_bind(); });
  size_t workers = options_.workers > 0 ? options_.workers : std::max(1u, std::thread::hardware_concurrency());
  workers = std::min(workers, kMaxWorkers);
  for (size_t i = 0; i < workers; ++i) workers_.emplace_back([this] { worker_loop(); });
  expirer_ = std::thread([this] { expire_loop(); });
  // httplib's stop() does nothing before the listener runs: a stop() right after start() would
  // then wait for it forever.
  while (!http_->is_running()) std::this_thread::sleep_for(1ms);
  return port;
}

void PlaygroundServer::wait() {
  if (listener_.joinable()) listener_.join();
}

void PlaygroundServer::stop() {
  running_ = false;
  http_->stop();
  queue_ready_.notify_all();
  if (listener_.joinable()) listener_.join();
  for (std::thread& t : workers_)
    if (t.joinable()) t.join();
  workers_.clear();
  if (expirer_.joinable()) expirer_.join();
}

size_t PlaygroundServer::worker_count() const { return workers_.size(); }

}  // namespace nabla::serve
