// Helpers for the code that runs in a forked child before execve(). Internal to sandbox/.
// Everything here is async-signal-safe: the server has other threads, so after fork() the
// child may not allocate or take locks.
#pragma once

#include <signal.h>
#include <unistd.h>

namespace pinfold::sandbox::child {

// The server ignores SIGPIPE and may block signals; an exec'd program must start with the
// defaults (ignored signals survive execve).
inline void ResetSignals() {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        ::sigaction(sig, &dfl, nullptr);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

// Writes a whole buffer, retrying on EINTR; best effort.
inline void WriteAll(int fd, const void* data, size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        ssize_t n = ::write(fd, p, size);
        if (n <= 0)
            return;
        p += n;
        size -= static_cast<size_t>(n);
    }
}

// Writes "<len bytes of text>" to fd, for error messages before exec.
inline void WriteText(int fd, const char* text) {
    size_t n = 0;
    while (text[n] != '\0')
        ++n;
    WriteAll(fd, text, n);
}

}  // namespace pinfold::sandbox::child
