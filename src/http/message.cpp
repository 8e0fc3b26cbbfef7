#include "http/message.h"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace pinfold::http {
namespace {

bool IsCookieSpace(char c) {
    return c == ' ' || c == '\t';
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && IsCookieSpace(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && IsCookieSpace(s.back()))
        s.remove_suffix(1);
    return s;
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string DecodeQueryComponent(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%' && i + 2 < s.size() && HexDigit(s[i + 1]) >= 0 &&
                   HexDigit(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2])));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace

std::multimap<std::string, std::string> ParseQueryString(std::string_view query) {
    std::multimap<std::string, std::string> out;
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty())
            continue;
        size_t eq = pair.find('=');
        std::string key = DecodeQueryComponent(pair.substr(0, eq));
        std::string value = eq == std::string_view::npos
                                ? std::string()
                                : DecodeQueryComponent(pair.substr(eq + 1));
        out.emplace(std::move(key), std::move(value));
    }
    return out;
}

std::string_view MethodName(Method m) {
    switch (m) {
        case Method::kGet:
            return "GET";
        case Method::kPost:
            return "POST";
        case Method::kPut:
            return "PUT";
        case Method::kDelete:
            return "DELETE";
        case Method::kPatch:
            return "PATCH";
        case Method::kHead:
            return "HEAD";
        case Method::kOptions:
            return "OPTIONS";
        case Method::kOther:
            return "OTHER";
    }
    return "OTHER";
}

std::optional<std::string> Request::header(std::string_view lowerName) const {
    auto it = headers.find(std::string(lowerName));
    if (it == headers.end())
        return std::nullopt;
    return it->second;
}

std::optional<std::string> Request::queryParam(std::string_view name) const {
    auto it = query.find(std::string(name));
    if (it == query.end())
        return std::nullopt;
    return it->second;
}

// RFC 6265 section 5.4 shape: `name=value` pairs separated by ';' and optional whitespace. Pairs
// without '=' are skipped (browsers send none); a value in double quotes loses them; the first
// pair with the name wins (the most specific path comes first).
std::optional<std::string> Request::cookie(std::string_view name) const {
    auto it = headers.find("cookie");
    if (it == headers.end() || name.empty())
        return std::nullopt;
    std::string_view rest = it->second;
    while (!rest.empty()) {
        size_t end = rest.find(';');
        std::string_view pair = Trim(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        size_t eq = pair.find('=');
        if (eq == std::string_view::npos)
            continue;
        if (Trim(pair.substr(0, eq)) != name)
            continue;
        std::string_view value = Trim(pair.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
            value = value.substr(1, value.size() - 2);
        }
        return std::string(value);
    }
    return std::nullopt;
}

std::string_view Request::pathParam(std::string_view name) const {
    auto it = pathParams.find(std::string(name));
    if (it == pathParams.end())
        return {};
    return it->second;
}

Response Response::Json(int status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

Response Response::Error(int status, std::string_view message) {
    Response r;
    r.status = status;
    r.body.reserve(message.size() + 12);
    r.body = "{\"error\":";
    r.body += boost::json::serialize(boost::json::string(message));
    r.body += '}';
    return r;
}

}  // namespace pinfold::http
