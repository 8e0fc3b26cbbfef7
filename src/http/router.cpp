#include "http/router.h"

#include <unordered_map>

namespace pinfold::http {
namespace {

const Status& InvalidPath() {
    static const Status kInvalid = Status::InvalidArgument("Invalid path");
    return kInvalid;
}

int HexValue(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Appends the decoded `segment` to `out`; false on a broken escape or a NUL.
bool DecodeSegmentInto(std::string_view segment, std::string& out) {
    for (size_t i = 0; i < segment.size(); ++i) {
        char c = segment[i];
        if (c == '%') {
            if (i + 2 >= segment.size())
                return false;
            int hi = HexValue(segment[i + 1]);
            int lo = HexValue(segment[i + 2]);
            if (hi < 0 || lo < 0)
                return false;
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0')
            return false;
        out.push_back(c);
    }
    return true;
}

// `.` and `..` as a whole segment, or `..` as a piece of a segment that held an encoded slash.
bool IsDotSegment(std::string_view s) {
    if (s == "." || s == "..")
        return true;
    if (s.find('/') == std::string_view::npos)
        return false;
    size_t start = 0;
    while (start <= s.size()) {
        size_t end = s.find('/', start);
        if (end == std::string_view::npos)
            end = s.size();
        if (s.substr(start, end - start) == "..")
            return true;
        start = end + 1;
    }
    return false;
}

bool Visible(HostScope scope, bool agentHost) {
    switch (scope) {
        case HostScope::kBoth:
            return true;
        case HostScope::kManagement:
            return !agentHost;
        case HostScope::kAgent:
            return agentHost;
    }
    return false;
}

bool Overlap(HostScope a, HostScope b) {
    return a == HostScope::kBoth || b == HostScope::kBoth || a == b;
}

uint32_t Bit(Method m) {
    return 1u << static_cast<unsigned>(m);
}

std::string AllowHeader(uint32_t mask) {
    static constexpr Method kOrder[] = {Method::kGet,    Method::kHead,  Method::kPost,
                                        Method::kPut,    Method::kPatch, Method::kDelete,
                                        Method::kOptions};
    if (mask & Bit(Method::kGet))
        mask |= Bit(Method::kHead);
    std::string allow;
    for (Method m : kOrder) {
        if (!(mask & Bit(m)))
            continue;
        if (!allow.empty())
            allow += ", ";
        allow += MethodName(m);
    }
    return allow;
}

bool ValidParamName(std::string_view name) {
    if (name.empty())
        return false;
    for (char c : name) {
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

std::string RouteLabel(const Route& r) {
    std::string label(MethodName(r.method));
    label += ' ';
    label += r.pattern;
    if (!r.name.empty())
        label += " (" + r.name + ")";
    return label;
}

}  // namespace

Result<ParsedPath> ParsedPath::Parse(std::string_view raw) {
    if (raw.empty() || raw.front() != '/')
        return InvalidPath();
    ParsedPath p;
    p.decoded_.reserve(raw.size());
    std::string_view rest = raw.substr(1);
    if (!rest.empty() && rest.back() == '/')
        rest.remove_suffix(1);
    if (rest.empty()) {
        p.decoded_ = "/";
        return p;
    }
    while (true) {
        size_t slash = rest.find('/');
        std::string_view segment = rest.substr(0, slash);
        p.decoded_.push_back('/');
        size_t start = p.decoded_.size();
        if (!DecodeSegmentInto(segment, p.decoded_))
            return InvalidPath();
        std::string_view decoded = std::string_view(p.decoded_).substr(start);
        if (IsDotSegment(decoded))
            return InvalidPath();
        if (p.count_ < kMaxSegments) {
            p.spans_[p.count_++] = {static_cast<uint32_t>(start),
                                    static_cast<uint32_t>(decoded.size())};
        } else {
            p.tooDeep_ = true;
        }
        if (slash == std::string_view::npos)
            break;
        rest = rest.substr(slash + 1);
    }
    return p;
}

Response RouteMatch::errorResponse() const {
    switch (outcome) {
        case Outcome::kMethodNotAllowed: {
            Response r = Response::Error(405, "Method not allowed");
            r.headers.emplace_back("Allow", allow);
            return r;
        }
        case Outcome::kInvalidPath:
            return Response::Error(400, "Invalid path");
        case Outcome::kFound:
        case Outcome::kNotFound:
            break;
    }
    return Response::Error(404, "Not found");
}

struct Router::Node {
    std::unordered_map<std::string, std::unique_ptr<Node>, StringHash, std::equal_to<>> literals;
    std::unique_ptr<Node> param;  // {name}: one segment
    std::unique_ptr<Node> rest;   // {name...}: one or more segments
    std::vector<size_t> routes;   // indices into routes_ whose pattern ends here
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;
Router::~Router() = default;

Result<Router> Router::Create(std::vector<Route> routes) {
    Router router;
    router.routes_ = std::move(routes);
    router.params_.resize(router.routes_.size());
    for (size_t i = 0; i < router.routes_.size(); ++i) {
        const Route& route = router.routes_[i];
        std::string label = RouteLabel(route);
        if (route.method == Method::kOther) {
            return Status::InvalidArgument("Unsupported method in route " + label);
        }
        if (!route.handler && !route.websocket) {
            return Status::InvalidArgument("Route " + label + " has no handler");
        }
        if (route.websocket && route.method != Method::kGet) {
            return Status::InvalidArgument("WebSocket route " + label + " must use GET");
        }
        std::string_view pattern = route.pattern;
        if (pattern.empty() || pattern.front() != '/') {
            return Status::InvalidArgument("Pattern must start with '/' in route " + label);
        }
        Node* node = router.root_.get();
        std::string_view rest = pattern.substr(1);
        size_t index = 0;
        while (!rest.empty()) {
            size_t slash = rest.find('/');
            std::string_view segment = rest.substr(0, slash);
            rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
            if (segment.empty() || (slash != std::string_view::npos && rest.empty())) {
                return Status::InvalidArgument("Empty segment in route " + label);
            }
            if (index >= ParsedPath::kMaxSegments) {
                return Status::InvalidArgument("Too many segments in route " + label);
            }
            if (segment.front() == '{') {
                std::string_view name = segment.substr(1, segment.size() - 1);
                if (segment.back() == '}')
                    name.remove_suffix(1);
                const bool rest = name.ends_with("...");
                if (rest)
                    name.remove_suffix(3);
                if (segment.back() != '}' || !ValidParamName(name)) {
                    return Status::InvalidArgument("Malformed parameter " + std::string(segment) +
                                                   " in route " + label);
                }
                std::unique_ptr<Node>& child = rest ? node->rest : node->param;
                if (!child)
                    child = std::make_unique<Node>();
                node = child.get();
                router.params_[i].emplace_back(name);
            } else {
                if (segment.find_first_of("{}") != std::string_view::npos) {
                    return Status::InvalidArgument("Malformed segment " + std::string(segment) +
                                                   " in route " + label);
                }
                auto it = node->literals.find(segment);
                if (it == node->literals.end()) {
                    it = node->literals.emplace(std::string(segment), std::make_unique<Node>())
                             .first;
                }
                node = it->second.get();
            }
            ++index;
        }
        for (size_t other : node->routes) {
            const Route& o = router.routes_[other];
            if (o.method == route.method && Overlap(o.hosts, route.hosts)) {
                return Status::InvalidArgument("Duplicate route " + label + " and " +
                                               RouteLabel(o));
            }
        }
        node->routes.push_back(i);
    }
    return router;
}

namespace {

struct Search {
    Method method;
    bool agentHost;
    const ParsedPath& path;
    const std::vector<Route>& routes;
    uint32_t allow = 0;
    bool pathMatched = false;
    size_t found = SIZE_MAX;
    // The segments each parameter on the current branch took: first segment, count.
    std::vector<std::pair<size_t, size_t>> captures;
};

// The captured segments as the parameter's value: decoded, joined by '/'.
std::string CapturedValue(const ParsedPath& path, std::pair<size_t, size_t> capture) {
    std::string_view first = path.segment(capture.first);
    std::string_view last = path.segment(capture.first + capture.second - 1);
    return std::string(first.data(), static_cast<size_t>(last.data() + last.size() - first.data()));
}

}  // namespace

// Depth first, literal child before param child before rest child, so the most literal route
// wins. Recursion depth is bounded by ParsedPath::kMaxSegments; a rest child tries each count of
// the remaining segments, so the work is bounded by the same number per rest segment.
template <typename NodeT>
static bool Visit(const NodeT& node, size_t depth, Search& s) {
    if (depth == s.path.segmentCount()) {
        size_t get = SIZE_MAX;
        for (size_t idx : node.routes) {
            const Route& r = s.routes[idx];
            if (!Visible(r.hosts, s.agentHost))
                continue;
            s.pathMatched = true;
            s.allow |= Bit(r.method);
            if (r.method == s.method) {
                s.found = idx;
                return true;
            }
            if (r.method == Method::kGet)
                get = idx;
        }
        if (s.method == Method::kHead && get != SIZE_MAX) {
            s.found = get;
            return true;
        }
        return false;
    }
    std::string_view segment = s.path.segment(depth);
    auto it = node.literals.find(segment);
    if (it != node.literals.end() && Visit(*it->second, depth + 1, s))
        return true;
    if (node.param && !segment.empty()) {
        s.captures.emplace_back(depth, 1);
        if (Visit(*node.param, depth + 1, s))
            return true;
        s.captures.pop_back();
    }
    if (node.rest) {
        for (size_t end = depth + 1; end <= s.path.segmentCount(); ++end) {
            if (s.path.segment(end - 1).empty())
                break;
            s.captures.emplace_back(depth, end - depth);
            if (Visit(*node.rest, end, s))
                return true;
            s.captures.pop_back();
        }
    }
    return false;
}

RouteMatch Router::match(Method method, const ParsedPath& path, bool agentHost) const {
    RouteMatch m;
    if (path.tooDeep())
        return m;
    Search s{method, agentHost, path, routes_};
    if (Visit(*root_, 0, s)) {
        m.outcome = RouteMatch::Outcome::kFound;
        m.route = &routes_[s.found];
        const std::vector<std::string>& names = params_[s.found];
        for (size_t i = 0; i < names.size() && i < s.captures.size(); ++i)
            m.params.emplace(names[i], CapturedValue(path, s.captures[i]));
        return m;
    }
    if (s.pathMatched) {
        m.outcome = RouteMatch::Outcome::kMethodNotAllowed;
        m.allow = AllowHeader(s.allow);
    }
    return m;
}

RouteMatch Router::match(Method method, std::string_view rawPath, bool agentHost) const {
    auto path = ParsedPath::Parse(rawPath);
    if (!path.ok()) {
        RouteMatch m;
        m.outcome = RouteMatch::Outcome::kInvalidPath;
        return m;
    }
    return match(method, *path, agentHost);
}

}  // namespace pinfold::http
