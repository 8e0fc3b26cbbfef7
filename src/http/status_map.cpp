#include "http/status_map.h"

namespace pinfold::http {
namespace {

struct Row {
    Status::Code code;
    int http;
    std::string_view fallbackMessage;  // for a Status built without a message
};

// The table. Keep it the only place a Status kind meets an HTTP code.
constexpr Row kRows[] = {
    {Status::Code::kOk, 200, ""},
    {Status::Code::kInvalidArgument, 400, "Invalid request"},
    {Status::Code::kUnauthorized, 401, "Unauthorized"},
    {Status::Code::kForbidden, 403, "Forbidden"},
    {Status::Code::kNotFound, 404, "Not found"},
    {Status::Code::kConflict, 409, "Conflict"},
    {Status::Code::kTooLarge, 413, "Request body too large"},
    {Status::Code::kTooManyRequests, 429, "Too many requests"},
    {Status::Code::kUnavailable, 503, "Service unavailable"},
    {Status::Code::kTimeout, 504, "Timed out"},
    {Status::Code::kInternal, 500, "Internal error"},
};

const Row& RowFor(Status::Code code) {
    for (const Row& row : kRows) {
        if (row.code == code)
            return row;
    }
    return kRows[std::size(kRows) - 1];  // kInternal: an unknown kind is a bug
}

}  // namespace

int HttpStatusFor(Status::Code code) {
    return RowFor(code).http;
}

Response ErrorResponse(const Status& status) {
    if (status.ok())
        return Response::Error(500, "Internal error");
    const Row& row = RowFor(status.code());
    if (status.message().empty())
        return Response::Error(row.http, row.fallbackMessage);
    return Response::Error(row.http, status.message());
}

}  // namespace pinfold::http
