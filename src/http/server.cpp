#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

#include "http/server_internal.h"

namespace pinfold::http {

using namespace detail;

struct HttpServer::Impl {
    Impl(HttpServerOptions o, std::vector<Route> r, HttpServerDeps d)
        : options(std::move(o)), routes(std::move(r)), deps(d) {
        log = deps.log ? deps.log : spdlog::default_logger();
    }

    asio::awaitable<void> acceptLoop();
    void runWorker(IoWorker& worker);

    HttpServerOptions options;
    std::vector<Route> routes;  // until start() hands them to the router
    HttpServerDeps deps;
    std::shared_ptr<spdlog::logger> log;

    // Declared so that destruction runs: acceptor, event loops (and the connection frames they
    // still hold), worker pool, core. Frames refer to the core and the pool.
    std::unique_ptr<ServerCore> core;
    std::unique_ptr<asio::thread_pool> workers;
    std::vector<std::unique_ptr<IoWorker>> io;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    std::unique_ptr<tcp::acceptor> acceptor;

    std::atomic<uint16_t> port{0};
    std::mutex mu;  // guards the state below; start/stop/run only
    std::condition_variable stoppedCv;
    bool attempted = false;
    bool started = false;
    bool stopped = false;
};

asio::awaitable<void> HttpServer::Impl::acceptLoop() {
    size_t next = 0;
    for (;;) {
        IoWorker& worker = *io[next++ % io.size()];
        auto [ec, socket] =
            co_await acceptor->async_accept(worker.ioc, asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted || !acceptor->is_open())
            co_return;
        if (ec) {
            // Usually EMFILE/ENFILE: pause instead of spinning, and keep serving who is connected.
            log->warn("accept failed: {}", ec.message());
            asio::steady_timer pause(acceptor->get_executor(), std::chrono::milliseconds(50));
            co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        if (core->stopping.load())
            co_return;
        auto logger = log;
        asio::co_spawn(worker.ioc, RunConnection(*core, worker, std::move(socket)),
                       [logger](std::exception_ptr e) {
                           if (!e)
                               return;
                           try {
                               std::rethrow_exception(e);
                           } catch (const std::exception& ex) {
                               logger->error("connection ended by exception: {}", ex.what());
                           } catch (...) {
                               logger->error("connection ended by an unknown exception");
                           }
                       });
    }
}

void HttpServer::Impl::runWorker(IoWorker& worker) {
    for (;;) {
        try {
            worker.ioc.run();
            return;
        } catch (const std::exception& e) {
            log->error("I/O thread {}: {}", worker.index, e.what());
        }
    }
}

HttpServer::HttpServer(HttpServerOptions options, std::vector<Route> routes, HttpServerDeps deps)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(routes), deps)) {}

HttpServer::~HttpServer() {
    stop();
}

Status HttpServer::start() {
    Impl& s = *impl_;
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.attempted || s.stopped)
        return Status::InvalidArgument("Server already started");
    s.attempted = true;  // the routes are handed over below: there is no second try
    const HttpServerOptions& o = s.options;
    if (o.ioThreads < 1 || o.workerThreads < 1) {
        return Status::InvalidArgument("ioThreads and workerThreads must be at least 1");
    }
    Result<Router> router = Router::Create(std::move(s.routes));
    if (!router.ok())
        return router.status();
    beast::error_code ec;
    auto address = asio::ip::make_address(o.listenAddress, ec);
    if (ec)
        return Status::InvalidArgument("Invalid listen address " + o.listenAddress);

    std::random_device random;
    s.workers = std::make_unique<asio::thread_pool>(static_cast<size_t>(o.workerThreads));
    s.core = std::make_unique<ServerCore>(o, std::move(router).value(), s.deps, s.log, *s.workers,
                                          random() & 0xffffff);
    for (int i = 0; i < o.ioThreads; ++i)
        s.io.push_back(std::make_unique<IoWorker>(i));

    tcp::endpoint endpoint(address, o.port);
    s.acceptor = std::make_unique<tcp::acceptor>(s.io[0]->ioc);
    s.acceptor->open(endpoint.protocol(), ec);
    if (!ec)
        s.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
        s.acceptor->bind(endpoint, ec);
    if (!ec)
        s.acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        std::string where = o.listenAddress + ":" + std::to_string(o.port);
        s.acceptor.reset();
        s.io.clear();
        s.workers->join();
        return Status::Unavailable("Cannot listen on " + where + ": " + ec.message());
    }
    s.port = s.acceptor->local_endpoint().port();

    for (auto& worker : s.io)
        s.guards.push_back(asio::make_work_guard(worker->ioc));
    asio::co_spawn(s.io[0]->ioc, s.acceptLoop(), asio::detached);
    for (auto& worker : s.io) {
        IoWorker* w = worker.get();
        w->thread = std::thread([&s, w] { s.runWorker(*w); });
    }
    s.started = true;
    s.log->info("listening on {}:{}", o.listenAddress, s.port.load());
    return Status::Ok();
}

Status HttpServer::run() {
    Status started = start();
    if (!started.ok())
        return started;
    std::unique_lock<std::mutex> lock(impl_->mu);
    impl_->stoppedCv.wait(lock, [this] { return impl_->stopped; });
    return Status::Ok();
}

void HttpServer::stop() {
    Impl& s = *impl_;
    {
        std::lock_guard<std::mutex> lock(s.mu);
        if (s.stopped)
            return;
        s.stopped = true;
        if (!s.started) {
            s.stoppedCv.notify_all();
            return;
        }
    }
    ServerCore& core = *s.core;
    core.stopping.store(true);
    asio::post(s.io[0]->ioc, [&s] {
        beast::error_code ignored;
        s.acceptor->close(ignored);
    });
    for (auto& worker : s.io) {
        IoWorker* w = worker.get();
        asio::post(w->ioc, [w] {
            for (LiveConnection* c : w->connections) {
                if (c->idle && c->stream) {
                    c->stream->cancel();
                } else if (c->interrupt) {
                    c->interrupt();
                }
            }
        });
    }
    {
        std::unique_lock<std::mutex> lock(core.drainMutex);
        core.drained.wait_for(lock, s.options.drainTimeout,
                              [&core] { return core.liveConnections.load() == 0; });
    }
    int left = core.liveConnections.load();
    if (left > 0)
        s.log->warn("stopping with {} connections still open", left);
    s.workers->stop();
    s.workers->join();
    s.guards.clear();
    for (auto& worker : s.io)
        worker->ioc.stop();
    for (auto& worker : s.io) {
        if (worker->thread.joinable())
            worker->thread.join();
    }
    {
        std::lock_guard<std::mutex> lock(s.mu);
        s.stoppedCv.notify_all();
    }
    s.log->info("stopped");
}

uint16_t HttpServer::port() const {
    return impl_->port.load();
}

}  // namespace pinfold::http
