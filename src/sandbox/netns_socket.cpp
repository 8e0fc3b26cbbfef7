#include "sandbox/netns_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "sandbox/unique_fd.h"

namespace pinfold::sandbox {
namespace {

sockaddr_in Loopback(uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

// Runs `body` on a fresh thread that first entered the network namespace of `pid`.
Result<int> InNetns(pid_t pid, const std::function<Result<int>()>& body) {
    std::string nsPath = "/proc/" + std::to_string(pid) + "/ns/net";
    UniqueFd ns(::open(nsPath.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns)
        return Status::NotFound("Sandbox process " + std::to_string(pid) + " not found");
    Result<int> result = Status::Internal("netns thread did not run");
    std::thread worker([&] {
        // setns(CLONE_NEWNET) changes only this thread; it ends right after, so nothing else
        // ever runs in the agent's namespace.
        if (::setns(ns.get(), CLONE_NEWNET) != 0) {
            result = Status::Internal(std::string("setns(net) failed: ") + std::strerror(errno));
            return;
        }
        result = body();
    });
    worker.join();
    return result;
}

}  // namespace

Result<int> ConnectInNetns(pid_t targetPid, uint16_t port, std::chrono::milliseconds timeout) {
    return InNetns(targetPid, [&]() -> Result<int> {
        UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        if (!fd)
            return Status::Internal(std::string("socket failed: ") + std::strerror(errno));
        sockaddr_in addr = Loopback(port);
        int r = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        if (r != 0 && errno != EINPROGRESS) {
            if (errno == ECONNREFUSED) {
                return Status::Unavailable("Nothing listens on port " + std::to_string(port));
            }
            return Status::Unavailable(std::string("connect failed: ") + std::strerror(errno));
        }
        if (r != 0) {
            pollfd p{fd.get(), POLLOUT, 0};
            int ready;
            do {
                ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
            } while (ready < 0 && errno == EINTR);
            if (ready == 0) {
                return Status::Timeout("Connecting to port " + std::to_string(port) + " timed out");
            }
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
            if (err == ECONNREFUSED) {
                return Status::Unavailable("Nothing listens on port " + std::to_string(port));
            }
            if (err != 0) {
                return Status::Unavailable(std::string("connect failed: ") + std::strerror(err));
            }
        }
        int flags = ::fcntl(fd.get(), F_GETFL);
        ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
        int one = 1;
        ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return fd.release();
    });
}

Result<int> ListenInNetns(pid_t targetPid, uint16_t port) {
    return InNetns(targetPid, [&]() -> Result<int> {
        UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!fd)
            return Status::Internal(std::string("socket failed: ") + std::strerror(errno));
        int one = 1;
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr = Loopback(port);
        if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            if (errno == EADDRINUSE) {
                return Status::Conflict("Port " + std::to_string(port) + " is in use");
            }
            return Status::Internal(std::string("bind failed: ") + std::strerror(errno));
        }
        if (::listen(fd.get(), 128) != 0) {
            return Status::Internal(std::string("listen failed: ") + std::strerror(errno));
        }
        return fd.release();
    });
}

}  // namespace pinfold::sandbox
