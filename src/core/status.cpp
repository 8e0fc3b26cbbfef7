#include "core/status.h"

namespace pinfold {

std::string_view CodeName(Status::Code code) {
    switch (code) {
        case Status::Code::kOk:
            return "OK";
        case Status::Code::kInvalidArgument:
            return "InvalidArgument";
        case Status::Code::kUnauthorized:
            return "Unauthorized";
        case Status::Code::kForbidden:
            return "Forbidden";
        case Status::Code::kNotFound:
            return "NotFound";
        case Status::Code::kConflict:
            return "Conflict";
        case Status::Code::kTooLarge:
            return "TooLarge";
        case Status::Code::kTooManyRequests:
            return "TooManyRequests";
        case Status::Code::kUnavailable:
            return "Unavailable";
        case Status::Code::kTimeout:
            return "Timeout";
        case Status::Code::kInternal:
            return "Internal";
    }
    return "Unknown";
}

std::string Status::ToString() const {
    if (ok())
        return "OK";
    std::string out(CodeName(code_));
    out += ": ";
    out += message_;
    return out;
}

}  // namespace pinfold
