// UniqueFd: owns one file descriptor and closes it when destroyed (move-only).
// Not thread-safe; each owner keeps its own.
#pragma once

#include <unistd.h>

#include <utility>

namespace pinfold::sandbox {

class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }

    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other)
            reset(other.release());
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    explicit operator bool() const { return valid(); }

    // Gives up ownership: the caller closes the returned fd.
    int release() { return std::exchange(fd_, -1); }

    void reset(int fd = -1) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = fd;
    }

  private:
    int fd_ = -1;
};

// A pipe whose both ends are close-on-exec; the child dup2()s what it needs.
struct Pipe {
    UniqueFd readEnd;
    UniqueFd writeEnd;
};

}  // namespace pinfold::sandbox
