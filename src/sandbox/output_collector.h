// CollectOutput: reads a child's stdout and stderr until it exits, with caps and a timeout.
// Internal to sandbox/ (used by RunProcess and ExecInNamespaces).
//
// Not thread-safe per call, but calls on different children may run in parallel.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>

#include "sandbox/process_runner.h"
#include "sandbox/unique_fd.h"

namespace pinfold::sandbox {

struct CollectLimits {
    std::chrono::milliseconds timeout{60000};
    size_t maxOutputBytes = 1 << 20;  // per stream; the rest is read and dropped
    // After the child exits, how long to keep reading pipes that a background process still
    // holds open (`sleep 100 &`) before giving up on them.
    std::chrono::milliseconds drainAfterExit{100};
    // An fd that becomes readable to cancel (e.g. an eventfd written at server shutdown): the
    // child is then ended as on timeout, and `cancelled` is set instead of `timedOut`. It is
    // polled, never read, so one fd can cancel many children at once. -1: none.
    int cancelFd = -1;
};

// Reads both pipes concurrently until `pid` (our child) has exited and either both pipes are
// closed or drainAfterExit has passed; reaps `pid`. On timeout (or cancellation) it calls
// `killOnTimeout` once (which must make `pid` exit) and sets timedOut (or cancelled). Returns the
// exit code as in ProcessOutput.
ProcessOutput CollectOutput(pid_t pid, UniqueFd stdoutFd, UniqueFd stderrFd,
                            const CollectLimits& limits,
                            const std::function<void()>& killOnTimeout);

// Exit status from waitpid() as a shell reports it: the code, or 128 + signal.
int ExitCodeFromWaitStatus(int status);

}  // namespace pinfold::sandbox
