// LocalSupervisor::Agent: one agent's state and worker thread, shared by local_supervisor.cpp
// (the public methods and the restart loop) and agent_run.cpp (one sandbox's life). Internal to
// runtime/.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "runtime/agent_log.h"
#include "runtime/local_supervisor.h"
#include "sandbox/cgroups.h"
#include "sandbox/unique_fd.h"

namespace pinfold::runtime {

using std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

inline milliseconds Since(SteadyTime t) {
    return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t);
}

inline std::string Seconds(milliseconds d) {
    if (d.count() % 1000 == 0)
        return std::to_string(d.count() / 1000) + "s";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(d.count()) / 1000.0);
    return buf;
}

struct LocalSupervisor::Agent {
    explicit Agent(std::string agentId) : id(std::move(agentId)) {
        wakeFd.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    }

    void wake() {
        uint64_t one = 1;
        (void)!::write(wakeFd.get(), &one, sizeof one);
    }
    void drainWake() {
        uint64_t value;
        while (::read(wakeFd.get(), &value, sizeof value) > 0) {
        }
    }

    const std::string id;
    sandbox::UniqueFd wakeFd;  // eventfd that interrupts the worker's waits

    std::mutex lifecycleMu;  // serializes start/stop/restart/remove of this agent
    std::thread worker;      // guarded by lifecycleMu

    // Guarded by LocalSupervisor::mu_.
    std::shared_ptr<AgentLog> log;
    AgentLaunchSpec spec;
    bool hasSpec = false;
    bool workerActive = false;
    bool stopRequested = false;
    milliseconds stopGrace{0};
    ProcessState state = ProcessState::kNotRunning;
    std::optional<int> enginePid;
    pid_t initPid = -1;
    int restarts = 0;
    std::string lastError;
    sandbox::AgentCgroup cgroup;
};

struct LocalSupervisor::RunOutcome {
    bool stopped = false;        // ended by stop(), not by itself
    milliseconds healthyFor{0};  // how long it was running before it ended
    std::string reason;          // "engine exited with code 1"
};

}  // namespace pinfold::runtime
