// ExecInNamespaces: runs `sh -c command` inside a running sandbox, in all of its namespaces
// (mount, pid, net, ipc, uts, cgroup, then user: see ns_exec.cpp) as the agent's uid inside the
// sandbox, the way `nsenter --target P --all --setuid 1000 --setgid 1000` would. Without entering
// the user namespace the command would run as host root; with it, it has the agent's unprivileged
// host uid and no capabilities.
//
// stdin is /dev/null; stdout and stderr are captured up to a cap; on timeout the command's whole
// process group is killed. A command that leaves a background process holding its output open
// (`sleep 100 &`) returns ~100 ms after the shell exits.
//
// Thread-safe: each call forks its own children.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "sandbox/process_runner.h"

namespace pinfold::sandbox {

struct NsExecRequest {
    pid_t targetPid = -1;       // any process of the sandbox (the engine: pid 2 inside)
    uint32_t uidInside = 1000;  // uid and gid inside the sandbox's user namespace
    std::string command;        // run as /bin/sh -c command
    std::string cwd = "/home/node/clawd/workspace";  // inside the sandbox
    std::chrono::milliseconds timeout{60000};
    size_t maxOutputBytes = 1 << 20;  // per stream
    // Environment on top of HOME=/home/node, USER=node, LOGNAME=node and PATH (overridable).
    std::map<std::string, std::string> env;
    // cgroup.procs files to join first, so limits and the group kill cover the command too.
    std::vector<std::string> cgroupProcsFiles;
    // Readable: the command is killed as on timeout (CollectLimits::cancelFd). -1: none.
    int cancelFd = -1;
};

// Runs the command and waits for it. Errors: NotFound when the sandbox process is gone,
// InvalidArgument "Invalid command: cwd does not exist" (nothing ran), Internal when a namespace
// cannot be entered. A missing command is not an error: exit code 127 and sh's message.
Result<ProcessOutput> ExecInNamespaces(const NsExecRequest& request);

Result<ProcessOutput> ExecInNamespaces(pid_t targetPid, uint32_t uidInside,
                                       const std::string& command, const std::string& cwd,
                                       std::chrono::milliseconds timeout, size_t maxOutputBytes);

}  // namespace pinfold::sandbox
