// Router: finds the route table row for a method, a path and a host.
//
// Paths are split on '/' first and each segment is percent-decoded on its own, so `%2F` inside a
// segment stays part of it (a skill slug `@owner/name` may arrive as one encoded segment). A
// pattern segment `{name...}` matches one or more whole segments, and its value is them joined
// by '/': `/v0/clawhub/{slug...}` takes `@owner/name` raw or encoded, and literals may follow it
// (`/v0/clawhub/{slug...}/install`). A literal segment beats a `{param}` segment at the same
// position (/v0/agents/engines wins over /v0/agents/{agentId}), which beats a `{name...}` one;
// when a branch has no route for the path the next is tried, and a `{name...}` segment tries the
// fewest segments first. A path matched only with other methods is 405 (with the methods for the
// Allow header), otherwise 404. HEAD falls back to the GET route. Paths with a `.` or `..` segment
// (also encoded as %2e, or hidden in an encoded segment like `..%2Fetc`), a NUL or a broken escape
// are rejected.
//
// Immutable after Create(): match() is const and safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "http/message.h"
#include "http/route.h"

namespace pinfold::http {

// A request path split into percent-decoded segments.
class ParsedPath {
  public:
    static constexpr size_t kMaxSegments = 32;  // deeper paths are checked, then match no route

    // InvalidArgument("Invalid path") for a path not starting with '/', a broken %-escape, a NUL,
    // or a `.`/`..` segment. One trailing slash is ignored ("/v0/agents/" is "/v0/agents").
    static Result<ParsedPath> Parse(std::string_view rawPath);

    // "/" + decoded segments joined by '/' (so an encoded slash is no longer distinguishable).
    const std::string& decoded() const { return decoded_; }
    std::string takeDecoded() { return std::move(decoded_); }

    size_t segmentCount() const { return count_; }
    std::string_view segment(size_t i) const {
        return std::string_view(decoded_).substr(spans_[i].first, spans_[i].second);
    }
    bool tooDeep() const { return tooDeep_; }

  private:
    std::string decoded_;
    std::array<std::pair<uint32_t, uint32_t>, kMaxSegments> spans_{};  // offset, length
    size_t count_ = 0;
    bool tooDeep_ = false;
};

struct RouteMatch {
    enum class Outcome { kFound, kNotFound, kMethodNotAllowed, kInvalidPath };

    Outcome outcome = Outcome::kNotFound;
    const Route* route = nullptr;               // kFound only
    std::map<std::string, std::string> params;  // kFound only: {"agentId": "x1234abc"}
    std::string allow;                          // kMethodNotAllowed only: "GET, HEAD, DELETE"

    bool found() const { return outcome == Outcome::kFound; }
    // 404 {"error":"Not found"}, 405 {"error":"Method not allowed"} + Allow, 400 "Invalid path".
    Response errorResponse() const;
};

class Router {
  public:
    // InvalidArgument naming the row for: a pattern not starting with '/', an empty segment, a
    // malformed `{param}`, a method kOther, a row with neither handler nor websocket, or two rows
    // with the same method and pattern on overlapping hosts.
    static Result<Router> Create(std::vector<Route> routes);

    Router(Router&&) noexcept;
    Router& operator=(Router&&) noexcept;
    ~Router();

    RouteMatch match(Method method, std::string_view rawPath, bool agentHost) const;
    RouteMatch match(Method method, const ParsedPath& path, bool agentHost) const;

    const std::vector<Route>& routes() const { return routes_; }

  private:
    struct Node;

    Router();

    std::vector<Route> routes_;
    std::vector<std::vector<std::string>> params_;  // per route: its parameters' names, in order
    std::unique_ptr<Node> root_;
};

}  // namespace pinfold::http
