// The one table from a Status kind to an HTTP status code (design: "one table in http/ maps code ->
// status"). Services never see HTTP; handlers and the server turn their Status into a response
// only through here. Stateless and thread-safe.
#pragma once

#include "core/status.h"
#include "http/message.h"

namespace pinfold::http {

// InvalidArgument 400, Unauthorized 401, Forbidden 403, NotFound 404, Conflict 409, TooLarge 413,
// Unavailable 503, Timeout 504, Internal 500; kOk 200.
int HttpStatusFor(Status::Code code);

// `{"error": status.message()}` with HttpStatusFor(status.code()). A Status without a message gets
// a generic one ("Not found", ...); an OK Status is a caller bug and becomes 500 "Internal error".
Response ErrorResponse(const Status& status);

}  // namespace pinfold::http
