// LocalSupervisor: the Supervisor for one Linux host. Each agent gets its own bubblewrap sandbox
// (sandbox/bwrap_launcher.h), its own cgroup where the host allows one (sandbox/cgroups.h), and
// one worker thread that launches the engine, pumps its stdout/stderr into the agent's log,
// polls its health (starting -> running), and restarts it with exponential backoff after a
// crash. exec, connect and file access go through sandbox/ functions that enter the sandbox's
// namespaces as the agent's uid.
//
// Thread-safe: every public method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "runtime/supervisor.h"

namespace pinfold::sandbox {
class CgroupManager;
class SandboxLauncher;
}  // namespace pinfold::sandbox

namespace pinfold::runtime {

struct LocalSupervisorOptions {
    // Time source for log timestamps and for the backoff (its waits and its reset); nullptr: the
    // real clock. Backoff waits re-read it at least every 100 ms, so a test clock moved by hand
    // takes effect quickly. Health probes, the start timeout and the stop grace are I/O waits
    // and use the real monotonic clock.
    const Clock* clock = nullptr;
    // How often a starting engine is asked for its health path, at most (the first probes come
    // sooner: 10 ms, doubling up to this), and how often a running one is.
    std::chrono::milliseconds healthInterval{200};
    std::chrono::milliseconds runningHealthInterval{10000};
    std::chrono::milliseconds healthTimeout{2000};  // per probe
    // A starting engine that is not healthy by then is killed and restarted (OpenClaw needs
    // 10-18 s on 2 cores).
    std::chrono::milliseconds startTimeout{std::chrono::minutes(3)};
    // Crash restarts wait backoffMin, doubling up to backoffMax; the delay starts over once the
    // engine stayed healthy for backoffResetAfter.
    std::chrono::milliseconds backoffMin{1000};
    std::chrono::milliseconds backoffMax{60000};
    std::chrono::milliseconds backoffResetAfter{std::chrono::minutes(10)};
    // Grace between SIGTERM and SIGKILL in restart(), remove() and at shutdown.
    std::chrono::milliseconds stopGrace{10000};
    // Host uids handed out to specs that come with hostUid 0 (never run as root).
    uint32_t firstHostUid = 200000;
    uint32_t hostUidCount = 100000;
    size_t logRingLines = 1000;          // per agent, in memory
    size_t logFileMaxBytes = 1 << 20;    // the log file is cut back to the ring past this
    bool useCgroups = true;              // false: never create cgroups (no limits)
    std::string cgroupName = "pinfold";  // folder name below the server's own cgroup
    // The launcher to use; nullptr: a BwrapLauncher owned by the supervisor.
    sandbox::SandboxLauncher* launcher = nullptr;
};

class LocalSupervisor final : public Supervisor {
  public:
    explicit LocalSupervisor(LocalSupervisorOptions options = {});
    // Stops every agent (SIGTERM, stopGrace, SIGKILL), in parallel.
    ~LocalSupervisor() override;

    LocalSupervisor(const LocalSupervisor&) = delete;
    LocalSupervisor& operator=(const LocalSupervisor&) = delete;

    Status start(const AgentLaunchSpec& spec) override;
    Status stop(const std::string& agentId, std::chrono::milliseconds grace) override;
    Result<std::optional<int>> restart(const AgentLaunchSpec& spec) override;
    Status remove(const std::string& agentId) override;
    void track(const AgentLaunchSpec& spec) override;
    ProcessStatus status(const std::string& agentId) const override;
    std::vector<LogLine> lastLogLines(const std::string& agentId, size_t n) const override;
    void appendLog(const std::string& agentId, LogLine line) override;
    Result<ExecResult> exec(const std::string& agentId, const ExecRequest& req) override;
    Result<int> connect(const std::string& agentId, uint16_t port) override;
    std::optional<std::string> sandboxRoot(const std::string& agentId) const override;
    void setListener(SupervisorListener* listener) override;

    // Whether agent cgroups (and which limits) work on this host, and why not.
    std::string cgroupSupportText() const;
    bool memoryLimitsSupported() const;
    bool pidsLimitsSupported() const;

    struct Agent;  // one agent's state and worker (agent_state.h)

  private:
    struct RunOutcome;  // how one sandbox ended (agent_state.h)

    std::shared_ptr<Agent> findAgent(const std::string& agentId) const;
    Status startLocked(const std::shared_ptr<Agent>& agent, const AgentLaunchSpec& spec);
    void runWorker(std::shared_ptr<Agent> agent);
    RunOutcome runSandboxOnce(const std::shared_ptr<Agent>& agent);
    void log(Agent& agent, const char* level, std::string message);
    std::shared_ptr<Agent> ensureAgent(const AgentLaunchSpec& spec);
    uint32_t allocateUid(const std::string& agentId);
    void stopAgent(const std::shared_ptr<Agent>& agent, std::chrono::milliseconds grace);
    // Calls `event` on the listener, if there is one, under listenerMu_.
    void notify(void (SupervisorListener::*event)(const std::string&), const std::string& agentId);

    // Constant after construction.
    LocalSupervisorOptions options_;
    std::unique_ptr<Clock> ownClock_;
    std::unique_ptr<sandbox::CgroupManager> cgroups_;
    std::unique_ptr<sandbox::SandboxLauncher> ownLauncher_;
    sandbox::SandboxLauncher* launcher_ = nullptr;

    mutable std::mutex mu_;
    std::map<std::string, std::shared_ptr<Agent>> agents_;  // guarded by mu_

    // Held across each listener call, so setListener() can wait them out. Never taken with mu_
    // held: a listener may call back into the supervisor.
    std::mutex listenerMu_;
    SupervisorListener* listener_ = nullptr;  // guarded by listenerMu_
};

}  // namespace pinfold::runtime
