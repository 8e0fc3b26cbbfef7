// Helpers for the sandbox tests: a per-test agent uid, folders the agent uid can reach, and a
// bounded wait. Tests run as root with real bubblewrap.
#pragma once

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace pinfold::sandbox::test {

// An unprivileged host uid for this test process: ctest runs every test in its own process, so
// the pid keeps concurrent tests apart.
inline uint32_t TestUid(uint32_t k = 0) {
    return 400000 + static_cast<uint32_t>(::getpid() % 100000) * 4 + k;
}

// mkdtemp makes 0700 folders; the agent's uid must be able to pass through them.
inline void MakeTraversable(const std::string& dir) {
    ::chmod(dir.c_str(), 0711);
}

// Polls `done` until it is true or `limit` passed; returns its last value. Never asserts on time.
inline bool WaitFor(const std::function<bool()>& done,
                    std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

// Whether `pid` runs. A zombie counts as gone: bwrap's init, orphaned when the outer bwrap exits,
// waits for the host's pid 1 to reap it.
inline bool Alive(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat))
        return false;
    size_t close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

// Host pids of live (not zombie) processes whose real uid is `uid`, from /proc/<pid>/status.
inline std::vector<int> ProcessesOfUid(uint32_t uid) {
    std::vector<int> pids;
    DIR* d = ::opendir("/proc");
    if (!d)
        return pids;
    while (dirent* e = ::readdir(d)) {
        char* end = nullptr;
        long pid = std::strtol(e->d_name, &end, 10);
        if (pid <= 0 || *end != '\0')
            continue;
        std::ifstream status(std::string("/proc/") + e->d_name + "/status");
        std::string line;
        bool zombie = false;
        long realUid = -1;
        while (std::getline(status, line)) {
            if (line.rfind("State:", 0) == 0)
                zombie = line.find("Z (zombie)") != std::string::npos;
            if (line.rfind("Uid:", 0) == 0)
                realUid = std::strtol(line.c_str() + 4, nullptr, 10);
        }
        if (!zombie && realUid == static_cast<long>(uid))
            pids.push_back(static_cast<int>(pid));
    }
    ::closedir(d);
    return pids;
}

}  // namespace pinfold::sandbox::test
