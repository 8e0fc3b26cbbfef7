#include "sandbox/output_collector.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>

namespace pinfold::sandbox {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// One output stream: appends up to `cap` bytes, drops the rest but keeps reading so the writer
// never blocks on a full pipe.
struct Stream {
    UniqueFd fd;
    std::string* text;
    bool* truncated;
    size_t cap;

    // Returns false at end of file or on a read error.
    bool readSome() {
        char buf[65536];
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            return true;
        if (n <= 0)
            return false;
        size_t room = cap > text->size() ? cap - text->size() : 0;
        size_t keep = std::min(room, static_cast<size_t>(n));
        text->append(buf, keep);
        if (keep < static_cast<size_t>(n))
            *truncated = true;
        return true;
    }
};

int MillisUntil(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<int64_t>(left, 0, 60000));
}

}  // namespace

int ExitCodeFromWaitStatus(int status) {
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

ProcessOutput CollectOutput(pid_t pid, UniqueFd stdoutFd, UniqueFd stderrFd,
                            const CollectLimits& limits,
                            const std::function<void()>& killOnTimeout) {
    ProcessOutput out;
    Stream streams[2] = {
        {std::move(stdoutFd), &out.stdoutText, &out.truncated, limits.maxOutputBytes},
        {std::move(stderrFd), &out.stderrText, &out.truncated, limits.maxOutputBytes},
    };
    // A pidfd turns "the child exited" into one more readable fd; without one (kernels before
    // 5.3) the loop wakes every 20 ms to ask waitpid().
    UniqueFd pidFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

    Clock::time_point deadline = Clock::now() + limits.timeout;
    Clock::time_point drainDeadline;
    bool exited = false;
    bool cancelRequested = false;  // the cancel fd fired; acted on at the top of the loop
    int waitStatus = 0;

    for (;;) {
        if (!exited) {
            pid_t r = ::waitpid(pid, &waitStatus, WNOHANG);
            if (r == pid || (r < 0 && errno == ECHILD)) {
                exited = true;
                drainDeadline = Clock::now() + limits.drainAfterExit;
            }
        }
        bool anyOpen = streams[0].fd.valid() || streams[1].fd.valid();
        if (exited && (!anyOpen || Clock::now() >= drainDeadline))
            break;
        const bool killing = out.timedOut || out.cancelled;
        if (!exited && (cancelRequested || Clock::now() >= deadline)) {
            if (killing) {
                // killOnTimeout() did not end the child within 5 s: end it directly.
                ::kill(pid, SIGKILL);
            } else {
                (cancelRequested ? out.cancelled : out.timedOut) = true;
                killOnTimeout();
            }
            cancelRequested = false;
            deadline = Clock::now() + std::chrono::seconds(5);
        }

        pollfd fds[4];
        int n = 0;
        int streamAt[2] = {-1, -1};
        for (int i = 0; i < 2; ++i) {
            if (!streams[i].fd.valid())
                continue;
            streamAt[i] = n;
            fds[n++] = {streams[i].fd.get(), POLLIN, 0};
        }
        int pidAt = -1;
        if (!exited && pidFd.valid()) {
            pidAt = n;
            fds[n++] = {pidFd.get(), POLLIN, 0};
        }
        // Watched until it fires once: it stays readable, and polling it again would spin.
        int cancelAt = -1;
        if (!exited && limits.cancelFd >= 0 && !out.timedOut && !out.cancelled) {
            cancelAt = n;
            fds[n++] = {limits.cancelFd, POLLIN, 0};
        }
        int waitMs = exited ? MillisUntil(drainDeadline) : MillisUntil(deadline);
        if (!exited && !pidFd.valid())
            waitMs = std::min(waitMs, 20);
        if ((out.timedOut || out.cancelled) && !exited)
            waitMs = std::min(waitMs, 20);
        int ready = ::poll(fds, n, waitMs);
        if (ready < 0 && errno != EINTR)
            break;
        if (ready <= 0)
            continue;
        for (int i = 0; i < 2; ++i) {
            if (streamAt[i] < 0)
                continue;
            short ev = fds[streamAt[i]].revents;
            if (ev & (POLLIN | POLLHUP | POLLERR)) {
                if (!streams[i].readSome())
                    streams[i].fd.reset();
            }
        }
        (void)pidAt;  // a readable pidfd is handled by the waitpid() at the top of the loop
        if (cancelAt >= 0 && (fds[cancelAt].revents & (POLLIN | POLLHUP | POLLERR)))
            cancelRequested = true;
    }
    if (!exited) {
        // Only reached when poll() itself failed: make sure no zombie is left behind.
        killOnTimeout();
        ::waitpid(pid, &waitStatus, 0);
    }
    out.exitCode = ExitCodeFromWaitStatus(waitStatus);
    return out;
}

}  // namespace pinfold::sandbox
