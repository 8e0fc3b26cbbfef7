#include "runtime/health_check.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace pinfold::runtime {
namespace {

// Answers one request on the other end of a socket pair with `response`; returns the request.
std::string Serve(int fd, const std::string& response) {
    std::string request;
    char buf[1024];
    while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        request.append(buf, n);
    }
    ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
    ::close(fd);
    return request;
}

Result<int> Ask(const std::string& response, std::string* request = nullptr) {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    std::string seen;
    std::thread server([&] { seen = Serve(fds[1], response); });
    Result<int> status = HttpGetStatus(fds[0], "/healthz", std::chrono::milliseconds(5000));
    server.join();
    ::close(fds[0]);
    if (request)
        *request = seen;
    return status;
}

TEST(HealthCheck, ReadsTheStatusCode) {
    std::string request;
    EXPECT_EQ(*Ask("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", &request), 200);
    EXPECT_EQ(request, "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: pinfold\r\n\r\n");
    EXPECT_EQ(*Ask("HTTP/1.0 503 Service Unavailable\r\n\r\n"), 503);
}

TEST(HealthCheck, NonHttpAnswersAreUnavailable) {
    EXPECT_EQ(Ask("SSH-2.0-OpenSSH\r\n").status().ToString(),
              "Unavailable: health check: not an HTTP answer");
    EXPECT_EQ(Ask("").status().ToString(), "Unavailable: health check: not an HTTP answer");
}

TEST(HealthCheck, SilentPeerTimesOut) {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    Result<int> status = HttpGetStatus(fds[0], "/", std::chrono::milliseconds(50));
    EXPECT_EQ(status.status().ToString(), "Timeout: health check timed out");
    ::close(fds[0]);
    ::close(fds[1]);
}

}  // namespace
}  // namespace pinfold::runtime
