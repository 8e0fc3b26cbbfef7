// Clock: the time source, behind an interface so tests can move time by hand.
// RealClock is thread-safe and stateless.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace pinfold {

class Clock {
  public:
    virtual ~Clock() = default;
    // Wall-clock milliseconds since the Unix epoch (for stored timestamps).
    virtual int64_t nowMs() const = 0;
    // Monotonic time, for timeouts and backoff.
    virtual std::chrono::steady_clock::time_point steadyNow() const = 0;
};

class RealClock final : public Clock {
  public:
    int64_t nowMs() const override;
    std::chrono::steady_clock::time_point steadyNow() const override;
};

// 2026-12-03T13:47:28.123Z
std::string FormatIso8601(int64_t epochMs);

}  // namespace pinfold
