#include "core/clock.h"

#include <cstdio>
#include <ctime>

namespace pinfold {

int64_t RealClock::nowMs() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::chrono::steady_clock::time_point RealClock::steadyNow() const {
    return std::chrono::steady_clock::now();
}

std::string FormatIso8601(int64_t epochMs) {
    std::time_t secs = static_cast<std::time_t>(epochMs / 1000);
    int millis = static_cast<int>(epochMs % 1000);
    if (millis < 0) {
        millis += 1000;
        secs -= 1;
    }
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return buf;
}

}  // namespace pinfold
