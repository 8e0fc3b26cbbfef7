#include "runtime/local_supervisor.h"

#include <poll.h>

#include <algorithm>

#include "runtime/agent_log.h"
#include "runtime/agent_state.h"
#include "sandbox/bwrap_launcher.h"
#include "sandbox/cgroups.h"
#include "sandbox/netns_socket.h"
#include "sandbox/ns_exec.h"

namespace pinfold::runtime {
namespace {

constexpr const char* kRepoRoot = "/home/node/clawd";

}  // namespace

LocalSupervisor::LocalSupervisor(LocalSupervisorOptions options) : options_(std::move(options)) {
    if (!options_.clock) {
        ownClock_ = std::make_unique<RealClock>();
        options_.clock = ownClock_.get();
    }
    if (options_.useCgroups) {
        cgroups_ = std::make_unique<sandbox::CgroupManager>(options_.cgroupName);
    }
    launcher_ = options_.launcher;
    if (!launcher_) {
        ownLauncher_ = std::make_unique<sandbox::BwrapLauncher>();
        launcher_ = ownLauncher_.get();
    }
}

LocalSupervisor::~LocalSupervisor() {
    std::vector<std::shared_ptr<Agent>> all;
    {
        std::lock_guard<std::mutex> lock(mu_);
        for (auto& [id, agent] : agents_) {
            all.push_back(agent);
            agent->stopRequested = true;
            agent->stopGrace = options_.stopGrace;
            agent->wake();
        }
    }
    for (auto& agent : all) {
        std::lock_guard<std::mutex> lifecycle(agent->lifecycleMu);
        if (agent->worker.joinable())
            agent->worker.join();
    }
    // ownLauncher_ goes last among what the workers used: its thread's exit kills any sandbox
    // that survived (--die-with-parent).
}

std::string LocalSupervisor::cgroupSupportText() const {
    if (!cgroups_)
        return "cgroups disabled by configuration";
    const sandbox::CgroupSupport& s = cgroups_->support();
    std::string text = "cgroups " + s.layout;
    if (!s.reason.empty())
        text += " (" + s.reason + ")";
    return text;
}

bool LocalSupervisor::memoryLimitsSupported() const {
    return cgroups_ && cgroups_->support().memoryLimit;
}

bool LocalSupervisor::pidsLimitsSupported() const {
    return cgroups_ && cgroups_->support().pidsLimit;
}

std::shared_ptr<LocalSupervisor::Agent> LocalSupervisor::findAgent(
    const std::string& agentId) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = agents_.find(agentId);
    return it == agents_.end() ? nullptr : it->second;
}

uint32_t LocalSupervisor::allocateUid(const std::string& agentId) {
    // Caller holds mu_.
    std::vector<uint32_t> used;
    for (const auto& [id, agent] : agents_) {
        if (id != agentId && agent->hasSpec)
            used.push_back(agent->spec.hostUid);
    }
    for (uint32_t k = 0; k < options_.hostUidCount; ++k) {
        uint32_t uid = options_.firstHostUid + k;
        if (std::find(used.begin(), used.end(), uid) == used.end())
            return uid;
    }
    return options_.firstHostUid + options_.hostUidCount - 1;
}

std::shared_ptr<LocalSupervisor::Agent> LocalSupervisor::ensureAgent(const AgentLaunchSpec& spec) {
    std::lock_guard<std::mutex> lock(mu_);
    std::shared_ptr<Agent>& slot = agents_[spec.agentId];
    if (!slot)
        slot = std::make_shared<Agent>(spec.agentId);
    Agent& a = *slot;
    if (!a.log || (!spec.logFile.empty() && !a.hasSpec)) {
        // Lines appended before the agent's log file was known move into the file's log.
        auto log = std::make_shared<AgentLog>(spec.logFile, options_.logRingLines,
                                              options_.logFileMaxBytes);
        if (a.log) {
            for (auto& line : a.log->tail(options_.logRingLines))
                log->append(std::move(line));
        }
        a.log = std::move(log);
    }
    uint32_t previousUid = a.hasSpec ? a.spec.hostUid : 0;
    a.spec = spec;
    if (a.spec.hostUid == 0)
        a.spec.hostUid = previousUid ? previousUid : allocateUid(spec.agentId);
    a.hasSpec = true;
    std::vector<LogRedaction> secrets = spec.redact;
    secrets.push_back({"GATEWAY_TOKEN", spec.gatewayToken});
    a.log->setRedactions(std::move(secrets));
    return slot;
}

void LocalSupervisor::log(Agent& agent, const char* level, std::string message) {
    std::shared_ptr<AgentLog> log;
    {
        std::lock_guard<std::mutex> lock(mu_);
        log = agent.log;
    }
    if (log)
        log->append({options_.clock->nowMs(), level, "supervisor", std::move(message)});
}

Status LocalSupervisor::start(const AgentLaunchSpec& spec) {
    if (spec.agentId.empty())
        return Status::InvalidArgument("Missing agent id");
    std::shared_ptr<Agent> agent = ensureAgent(spec);
    std::lock_guard<std::mutex> lifecycle(agent->lifecycleMu);
    return startLocked(agent, spec);
}

Status LocalSupervisor::startLocked(const std::shared_ptr<Agent>& agent,
                                    const AgentLaunchSpec& spec) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (agent->workerActive)
            return Status::Ok();
    }
    if (agent->worker.joinable())
        agent->worker.join();
    std::string hint;
    {
        std::lock_guard<std::mutex> lock(mu_);
        agent->stopRequested = false;
        agent->restarts = 0;
        agent->lastError.clear();
        agent->enginePid.reset();
        if (!spec.engine.installed) {
            agent->state = ProcessState::kNotRunning;
            hint = spec.engine.notInstalledHint.empty()
                       ? "Engine " + spec.engine.id + " is not installed"
                       : spec.engine.notInstalledHint;
            agent->lastError = hint;
        } else {
            agent->state = ProcessState::kStarting;
            agent->workerActive = true;
        }
    }
    if (!hint.empty()) {
        std::shared_ptr<AgentLog> log;
        {
            std::lock_guard<std::mutex> lock(mu_);
            log = agent->log;
        }
        log->append({options_.clock->nowMs(), "ERROR", "supervisor", hint});
        return Status::Ok();
    }
    agent->drainWake();
    agent->worker = std::thread([this, agent] { runWorker(agent); });
    return Status::Ok();
}

void LocalSupervisor::stopAgent(const std::shared_ptr<Agent>& agent, milliseconds grace) {
    // Caller holds agent->lifecycleMu.
    {
        std::lock_guard<std::mutex> lock(mu_);
        agent->stopRequested = true;
        agent->stopGrace = grace;
    }
    agent->wake();
    if (agent->worker.joinable())
        agent->worker.join();
}

Status LocalSupervisor::stop(const std::string& agentId, milliseconds grace) {
    std::shared_ptr<Agent> agent = findAgent(agentId);
    if (!agent)
        return Status::Ok();
    std::lock_guard<std::mutex> lifecycle(agent->lifecycleMu);
    stopAgent(agent, grace);
    return Status::Ok();
}

Result<std::optional<int>> LocalSupervisor::restart(const AgentLaunchSpec& spec) {
    if (spec.agentId.empty())
        return Status::InvalidArgument("Missing agent id");
    std::shared_ptr<Agent> agent = ensureAgent(spec);
    std::lock_guard<std::mutex> lifecycle(agent->lifecycleMu);
    std::optional<int> previous;
    {
        std::lock_guard<std::mutex> lock(mu_);
        previous = agent->enginePid;
    }
    stopAgent(agent, options_.stopGrace);
    PINFOLD_TRY(startLocked(agent, spec));
    return previous;
}

Status LocalSupervisor::remove(const std::string& agentId) {
    std::shared_ptr<Agent> agent = findAgent(agentId);
    if (!agent)
        return Status::Ok();
    // Before the stop: whatever the listener runs in the agent must not outlive it.
    notify(&SupervisorListener::agentRemoving, agentId);
    {
        std::lock_guard<std::mutex> lifecycle(agent->lifecycleMu);
        stopAgent(agent, options_.stopGrace);
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto it = agents_.find(agentId);
    if (it != agents_.end() && it->second == agent)
        agents_.erase(it);
    return Status::Ok();
}

void LocalSupervisor::track(const AgentLaunchSpec& spec) {
    if (!spec.agentId.empty())
        ensureAgent(spec);
}

ProcessStatus LocalSupervisor::status(const std::string& agentId) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = agents_.find(agentId);
    if (it == agents_.end())
        return {};
    const Agent& a = *it->second;
    ProcessStatus s;
    s.state = a.state;
    s.enginePid = a.enginePid;
    s.restarts = a.restarts;
    s.lastError = a.lastError;
    return s;
}

std::vector<LogLine> LocalSupervisor::lastLogLines(const std::string& agentId, size_t n) const {
    std::shared_ptr<AgentLog> log;
    {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = agents_.find(agentId);
        if (it == agents_.end() || !it->second->log)
            return {};
        log = it->second->log;
    }
    return log->tail(n);
}

void LocalSupervisor::appendLog(const std::string& agentId, LogLine line) {
    std::shared_ptr<AgentLog> log;
    {
        std::lock_guard<std::mutex> lock(mu_);
        std::shared_ptr<Agent>& slot = agents_[agentId];
        if (!slot)
            slot = std::make_shared<Agent>(agentId);
        if (!slot->log)
            slot->log = std::make_shared<AgentLog>("", options_.logRingLines);
        log = slot->log;
    }
    if (line.timestampMs == 0)
        line.timestampMs = options_.clock->nowMs();
    if (line.source.empty())
        line.source = "supervisor";
    if (line.level.empty())
        line.level = "INFO";
    log->append(std::move(line));
}

Result<ExecResult> LocalSupervisor::exec(const std::string& agentId, const ExecRequest& req) {
    sandbox::NsExecRequest ns;
    {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = agents_.find(agentId);
        if (it == agents_.end() || it->second->state != ProcessState::kRunning) {
            return Status::Conflict("Agent is not running");
        }
        const Agent& a = *it->second;
        ns.targetPid = a.enginePid ? *a.enginePid : a.initPid;
        ns.cgroupProcsFiles = a.cgroup.procsFiles();
        auto path = a.spec.engine.env.find("PATH");
        if (path != a.spec.engine.env.end())
            ns.env["PATH"] = path->second;
        for (const auto& [k, v] : a.spec.env)
            ns.env[k] = v;
    }
    ns.uidInside = sandbox::kSandboxUid;
    ns.command = req.command;
    ns.cwd = req.cwd.empty()     ? std::string(kRepoRoot) + "/workspace"
             : req.cwd[0] == '/' ? req.cwd
                                 : std::string(kRepoRoot) + "/" + req.cwd;
    ns.timeout = req.timeout;
    ns.maxOutputBytes = req.maxOutputBytes;
    ns.cancelFd = req.cancelFd;
    PINFOLD_ASSIGN_OR_RETURN(sandbox::ProcessOutput out, sandbox::ExecInNamespaces(ns));
    ExecResult result;
    result.stdoutText = std::move(out.stdoutText);
    result.stderrText = std::move(out.stderrText);
    result.exitCode = out.exitCode;
    result.truncated = out.truncated;
    result.timedOut = out.timedOut;
    result.cancelled = out.cancelled;
    return result;
}

Result<int> LocalSupervisor::connect(const std::string& agentId, uint16_t port) {
    pid_t pid = -1;
    {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = agents_.find(agentId);
        if (it == agents_.end() || it->second->state != ProcessState::kRunning) {
            return Status::Conflict("Agent is not running");
        }
        pid = it->second->initPid;
    }
    return sandbox::ConnectInNetns(pid, port, milliseconds(5000));
}

std::optional<std::string> LocalSupervisor::sandboxRoot(const std::string& agentId) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = agents_.find(agentId);
    if (it == agents_.end() || it->second->state == ProcessState::kNotRunning)
        return std::nullopt;
    const Agent& a = *it->second;
    pid_t pid = a.enginePid ? *a.enginePid : a.initPid;
    if (pid <= 0)
        return std::nullopt;
    return "/proc/" + std::to_string(pid) + "/root";
}

void LocalSupervisor::setListener(SupervisorListener* listener) {
    std::lock_guard<std::mutex> lock(listenerMu_);
    listener_ = listener;
}

void LocalSupervisor::notify(void (SupervisorListener::*event)(const std::string&),
                             const std::string& agentId) {
    std::lock_guard<std::mutex> lock(listenerMu_);
    if (listener_)
        (listener_->*event)(agentId);
}

void LocalSupervisor::runWorker(std::shared_ptr<Agent> agent) {
    int failures = 0;
    for (;;) {
        RunOutcome outcome = runSandboxOnce(agent);
        if (outcome.stopped)
            break;
        if (outcome.healthyFor >= options_.backoffResetAfter)
            failures = 0;
        ++failures;
        milliseconds delay = options_.backoffMin;
        for (int i = 1; i < failures && delay < options_.backoffMax; ++i)
            delay *= 2;
        delay = std::min(delay, options_.backoffMax);
        {
            std::lock_guard<std::mutex> lock(mu_);
            agent->restarts += 1;
            agent->lastError = outcome.reason;
            agent->state = ProcessState::kStarting;
        }
        log(*agent, "WARN",
            "restarting in " + Seconds(delay) + " (restart " + std::to_string(failures) + ")");
        // The wait follows the supervisor's clock, re-read at least every 100 ms.
        auto until = options_.clock->steadyNow() + delay;
        bool stop = false;
        while (!stop) {
            {
                std::lock_guard<std::mutex> lock(mu_);
                stop = agent->stopRequested;
            }
            auto left =
                std::chrono::duration_cast<milliseconds>(until - options_.clock->steadyNow());
            if (stop || left.count() <= 0)
                break;
            pollfd p{agent->wakeFd.get(), POLLIN, 0};
            ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 100)));
            agent->drainWake();
        }
        if (stop)
            break;
    }
    std::lock_guard<std::mutex> lock(mu_);
    agent->state = ProcessState::kNotRunning;
    agent->enginePid.reset();
    agent->initPid = -1;
    agent->workerActive = false;
}

}  // namespace pinfold::runtime
