#include "services/console_service.h"

#include "core/text.h"

namespace pinfold::services {
namespace {

constexpr int64_t kDefaultTimeoutMs = 60000;
constexpr int64_t kMaxTimeoutMs = 600000;
constexpr const char* kRepositoryRoot = "/home/node/clawd";

}  // namespace

std::string ResolveAgentPath(const std::string& path) {
    if (!path.empty() && path.front() == '/')
        return path;
    if (path.empty())
        return kRepositoryRoot;
    return std::string(kRepositoryRoot) + "/" + path;
}

ConsoleService::ConsoleService(AgentService& agents, runtime::Supervisor& supervisor,
                               const Clock& clock)
    : agents_(agents), supervisor_(supervisor), clock_(clock) {}

Result<ExecOutcome> ConsoleService::exec(const std::string& workspace, const std::string& agentId,
                                         const ExecInput& input) {
    if (TrimAscii(input.command).empty()) {
        return Status::InvalidArgument("Invalid command: command is required");
    }
    if (input.command.find('\0') != std::string::npos) {
        return Status::InvalidArgument("Invalid command: command contains a NUL byte");
    }
    int64_t timeoutMs = input.timeoutMs.value_or(kDefaultTimeoutMs);
    if (timeoutMs < 1 || timeoutMs > kMaxTimeoutMs) {
        return Status::InvalidArgument("Invalid command: timeoutMs must be between 1 and " +
                                       std::to_string(kMaxTimeoutMs));
    }
    PINFOLD_ASSIGN_OR_RETURN(AgentView agent, agents_.get(workspace, agentId));
    if (agent.process.state != runtime::ProcessState::kRunning) {
        return Status::Conflict("Agent is not running");
    }

    runtime::ExecRequest request;
    request.command = input.command;
    if (input.cwd) {
        if (input.cwd->empty() || input.cwd->find('\0') != std::string::npos) {
            return Status::InvalidArgument("Invalid command: cwd does not exist");
        }
        request.cwd = ResolveAgentPath(*input.cwd);
    }
    request.timeout = std::chrono::milliseconds(timeoutMs);

    {
        std::lock_guard<std::mutex> guard(runningMutex_);
        int& running = running_[agentId];
        if (running >= kMaxConcurrentPerAgent) {
            return Status::TooManyRequests("Too many commands running in this agent (at most " +
                                           std::to_string(kMaxConcurrentPerAgent) + ")");
        }
        ++running;
    }
    struct Release {
        ConsoleService* self;
        const std::string& id;
        ~Release() {
            std::lock_guard<std::mutex> guard(self->runningMutex_);
            if (--self->running_[id] == 0)
                self->running_.erase(id);
        }
    } release{this, agentId};

    ExecOutcome outcome;
    outcome.timestampMs = clock_.nowMs();
    outcome.command = input.command;
    PINFOLD_ASSIGN_OR_RETURN(outcome.result, supervisor_.exec(agentId, request));
    if (outcome.result.timedOut) {
        return Status::Timeout("Command timed out after " + std::to_string(timeoutMs) + " ms");
    }
    return outcome;
}

}  // namespace pinfold::services
