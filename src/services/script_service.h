// ScriptService: an agent's lifecycle scripts, `scripts.build` and `scripts.start` of the
// manifest.json at the root of its repository (/home/node/clawd). The manifest is read, as the
// agent's uid, each time a script is about to run, so a deploy or a push that changes it changes
// what runs; a missing or invalid one means no scripts, with the reason in the agent's log.
//
// build runs at the agent's first boot (its deploy), after a push that moved its branch, and on
// retry; start runs after a successful build, and at every later boot of the engine (restart,
// crash restart, server restart) when the last build succeeded or there is none. Both run in the
// agent's sandbox as the agent, through the console's exec path, in /home/node/clawd. build's
// output goes to /tmp/user-build.log (its last lines to the agent's log too); it may run
// options.buildTimeout, then its process group is killed; when it fails, start does not run.
// start's output goes to /tmp/user-start.log; it runs detached in a session of its own, with no
// timeout and no thread following it; a new start first stops the one launched earlier in the
// same engine run, so a rebuilt app replaces the old one.
//
// Work runs on the service's own worker threads, never in a request. An agent's jobs run one at
// a time (so never two builds of one agent at once); a trigger while one runs is queued behind it.
// States persist in the store: a build that was running when the server stopped is `pending`
// again and runs at the engine's next boot.
//
// Thread-safe. The destructor cancels running scripts (their process groups are killed) and joins
// the workers, so shutdown never waits for a build.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "runtime/supervisor.h"
#include "sandbox/unique_fd.h"
#include "services/data_layout.h"
#include "services/manifest.h"
#include "store/agent_repository.h"
#include "store/db.h"
#include "store/script_repository.h"

namespace pinfold::services {

enum class ScriptState { kNotConfigured, kPending, kRunning, kSuccess, kFailed };

// "Not configured", "pending", "running", "success", "failed": the spec's names, also stored.
std::string_view ScriptStateName(ScriptState state);

struct ScriptView {
    ScriptState state = ScriptState::kPending;
    std::optional<int64_t> exitCode;  // build only: start is not followed once launched
    std::optional<int64_t> startedAtMs;
    std::optional<int64_t> finishedAtMs;
    std::optional<std::string> error;  // why it failed, waits, or is not configured
};

struct AgentScriptsView {
    ScriptView build;
    ScriptView start;
};

// The stored states as the API shows them. An agent with no rows yet (before its first boot)
// shows both `pending`; a start shown `running` while the engine is not shows `pending`, as its
// process went with the engine and it runs again at the next boot.
AgentScriptsView ScriptsFromRecords(const std::vector<store::ScriptRecord>& records,
                                    runtime::ProcessState engine);
Result<AgentScriptsView> LoadAgentScripts(store::Db& db, const std::string& agentId,
                                          runtime::ProcessState engine);

struct ScriptServiceOptions {
    std::chrono::milliseconds buildTimeout{std::chrono::minutes(5)};
    // Jobs that may run at once, each for another agent; more wait, shown `pending`.
    size_t workers = 4;
    size_t buildLogLines = 50;  // last lines of a build's output copied into the agent's log
};

struct RetryOutcome {
    std::string message;  // "Running build, then start", "Running build", "Running start"
    AgentScriptsView scripts;
};

class ScriptService final : public runtime::SupervisorListener {
  public:
    // Registers itself as the supervisor's listener.
    ScriptService(store::Db& db, runtime::Supervisor& supervisor, const Clock& clock,
                  DataLayout layout, ScriptServiceOptions options = {});
    ~ScriptService() override;
    ScriptService(const ScriptService&) = delete;
    ScriptService& operator=(const ScriptService&) = delete;

    // At server start, before any agent starts: runs cut short by the previous server's stop
    // become `pending`, so the engines' boots run them again.
    Status recover();

    // POST .../scripts/retry: build then start, in the background. NotFound "Agent not found";
    // Conflict "Agent is not running", "A build is already running"; InvalidArgument
    // "No build or start script configured" (": <reason>" when manifest.json is missing or
    // invalid); Internal "Script launch failed: ..." when the run cannot be queued.
    Result<RetryOutcome> retry(const std::string& workspace, const std::string& agentId);

    // A push moved the agent's branch: build and start now, or at the engine's next boot when it
    // is not running.
    void afterPush(const std::string& agentId);

    // SupervisorListener.
    void engineRunning(const std::string& agentId) override;
    void agentRemoving(const std::string& agentId) override;

  private:
    enum class Job { kNone, kBoot, kBuild };  // kBuild includes the start after it

    // One agent's queue entry. Guarded by mu_.
    struct Entry {
        Job next = Job::kNone;  // what runs when a worker takes it
        bool queued = false;    // in queue_
        bool active = false;    // a worker runs its job now
        bool building = false;  // that job is in its build
        bool removed = false;   // deleted: its job must not write anything more
        // The start launched in the current engine run (its session's id inside the sandbox),
        // and that run's engine pid, to know the group is still the one launched.
        std::optional<int> startGroup;
        std::optional<int> startEngine;
    };

    struct BuildResult {
        ScriptState state = ScriptState::kFailed;  // kPending: interrupted, runs again later
        std::optional<int64_t> exitCode;
        std::optional<std::string> error;
    };

    void workerMain();
    void runJob(const std::string& agentId, Job job);
    // The manifest's scripts; NotFound or InvalidArgument with the reason when there are none.
    Result<ManifestScripts> readScripts(const store::AgentRecord& agent);
    BuildResult runBuild(const store::AgentRecord& agent, const std::string& command);
    void runStart(const store::AgentRecord& agent, const std::string& command);

    void enqueueLocked(const std::string& agentId, Job job);
    // Store and log writes of a job; dropped once the agent is removed.
    void record(const std::string& agentId, const char* script, const ScriptView& view);
    void log(const std::string& agentId, const char* source, const char* level,
             std::string message);
    bool stopping();

    // Constant after construction.
    store::Db& db_;
    runtime::Supervisor& supervisor_;
    const Clock& clock_;
    const DataLayout layout_;
    const ScriptServiceOptions options_;
    sandbox::UniqueFd cancelFd_;  // eventfd, written once at shutdown: cancels every exec

    std::mutex mu_;
    std::condition_variable wake_;
    std::map<std::string, Entry> entries_;  // guarded by mu_
    std::deque<std::string> queue_;         // guarded by mu_; agents whose job waits
    bool stopping_ = false;                 // guarded by mu_
    std::vector<std::thread> workers_;
};

}  // namespace pinfold::services
