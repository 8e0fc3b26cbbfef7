// ProcessRunner: runs one host program to completion and captures what it printed (npm, node,
// git, ...). Not for agent code: agents run through ExecInNamespaces (ns_exec.h).
//
// Thread-safe: run() may be called from any thread; each call forks its own child.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace pinfold::sandbox {

// What a finished process left behind; shared by RunProcess and ExecInNamespaces.
struct ProcessOutput {
    std::string stdoutText;
    std::string stderrText;
    int exitCode = 0;        // the exit status, or 128 + the signal number when killed
    bool truncated = false;  // stdout or stderr went past maxOutputBytes; the rest was dropped
    bool timedOut = false;   // the timeout expired and the process group was killed
    bool cancelled = false;  // the caller's cancel fd became readable; killed likewise
};

struct RunOptions {
    // "KEY=value" entries; empty keeps the server's own environment. argv[0] is looked up in
    // the PATH given here (or the server's PATH when there is none).
    std::vector<std::string> env;
    std::string cwd;  // empty: the server's working directory
    std::chrono::milliseconds timeout{std::chrono::minutes(10)};
    size_t maxOutputBytes = 4 << 20;  // per stream
    // What the program reads on stdin (held in a memory file, so any size works without a
    // writer thread); empty: /dev/null.
    std::string stdinData;
    // Run as this unprivileged host uid (and gid of the same number, no supplementary groups)
    // instead of the server's own: for git working on an agent's files, which must never act
    // with more rights than the agent has. 0: the server's own credentials.
    uint32_t runAsUid = 0;
};

class ProcessRunner {
  public:
    virtual ~ProcessRunner() = default;
    // Runs argv with stdin from options.stdinData in a new process group and waits for it. A
    // non-zero exit is a normal ProcessOutput; errors are only for what prevented running at all
    // (NotFound "Executable not found: npm", Internal for fork/pipe failures).
    virtual Result<ProcessOutput> run(const std::vector<std::string>& argv,
                                      const RunOptions& options) = 0;
};

class RealProcessRunner final : public ProcessRunner {
  public:
    Result<ProcessOutput> run(const std::vector<std::string>& argv,
                              const RunOptions& options) override;
};

// RealProcessRunner().run(argv, options).
Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv, const RunOptions& options);

// The full path of `name` in the ':'-separated `path`, or "" when no executable matches.
// A name containing '/' is returned as is when it is executable.
std::string FindExecutable(const std::string& name, const std::string& path);

}  // namespace pinfold::sandbox
