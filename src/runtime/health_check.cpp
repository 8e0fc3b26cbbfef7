#include "runtime/health_check.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox/netns_socket.h"
#include "sandbox/unique_fd.h"

namespace pinfold::runtime {

Result<int> HttpGetStatus(int fd, const std::string& path, std::chrono::milliseconds timeout) {
    std::string request =
        "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: pinfold\r\n\r\n";
    size_t sent = 0;
    while (sent < request.size()) {
        ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return Status::Unavailable("health check: send failed");
        sent += static_cast<size_t>(n);
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string head;
    while (head.find("\r\n") == std::string::npos && head.size() < 4096) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return Status::Timeout("health check timed out");
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return Status::Timeout("health check timed out");
        if (r < 0)
            return Status::Unavailable("health check: poll failed");
        char buf[1024];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        head.append(buf, n);
    }
    // "HTTP/1.1 200 OK"
    if (head.rfind("HTTP/", 0) != 0)
        return Status::Unavailable("health check: not an HTTP answer");
    size_t space = head.find(' ');
    if (space == std::string::npos || space + 4 > head.size()) {
        return Status::Unavailable("health check: not an HTTP answer");
    }
    int code = 0;
    for (size_t i = space + 1; i < space + 4; ++i) {
        if (head[i] < '0' || head[i] > '9')
            return Status::Unavailable("health check: bad status");
        code = code * 10 + (head[i] - '0');
    }
    return code;
}

bool ProbeHealth(pid_t netnsPid, uint16_t port, const std::string& path,
                 std::chrono::milliseconds timeout) {
    Result<int> fd = sandbox::ConnectInNetns(netnsPid, port, timeout);
    if (!fd.ok())
        return false;
    sandbox::UniqueFd socket(*fd);
    Result<int> status = HttpGetStatus(socket.get(), path, timeout);
    return status.ok() && *status >= 200 && *status < 300;
}

}  // namespace pinfold::runtime
