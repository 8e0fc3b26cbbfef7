// Status: the outcome of an operation, OK or an error kind plus a message for people.
//
// Services and the store return Status (or Result<T>) instead of throwing; only http/ turns a
// kind into an HTTP status code (http/status_map.cpp). Messages are shown to API users as
// {"error": message}, so they must never carry a secret. Cheap to copy; OK carries no message.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace pinfold {

class Status {
  public:
    enum class Code {
        kOk,
        kInvalidArgument,  // the caller's input is wrong (400)
        kUnauthorized,     // missing or rejected credentials (401)
        kForbidden,        // allowed in principle, not for this caller or plan (403)
        kNotFound,         // no such resource, or not visible to this caller (404)
        kConflict,         // the resource's state forbids the action (409)
        kTooLarge,         // the body or file exceeds a limit (413)
        kTooManyRequests,  // the caller already has too much in flight (429)
        kUnavailable,      // a dependency cannot be reached right now (503)
        kTimeout,          // the operation ran out of time (504)
        kInternal,         // a bug or an unexpected failure (500)
    };

    Status() = default;

    static Status Ok() { return Status(); }
    static Status InvalidArgument(std::string msg) {
        return {Code::kInvalidArgument, std::move(msg)};
    }
    static Status Unauthorized(std::string msg) { return {Code::kUnauthorized, std::move(msg)}; }
    static Status Forbidden(std::string msg) { return {Code::kForbidden, std::move(msg)}; }
    static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
    static Status Conflict(std::string msg) { return {Code::kConflict, std::move(msg)}; }
    static Status TooLarge(std::string msg) { return {Code::kTooLarge, std::move(msg)}; }
    static Status TooManyRequests(std::string msg) {
        return {Code::kTooManyRequests, std::move(msg)};
    }
    static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
    static Status Timeout(std::string msg) { return {Code::kTimeout, std::move(msg)}; }
    static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

    bool ok() const { return code_ == Code::kOk; }
    Code code() const { return code_; }
    const std::string& message() const { return message_; }

    bool IsNotFound() const { return code_ == Code::kNotFound; }
    bool IsConflict() const { return code_ == Code::kConflict; }

    // "NotFound: Agent not found" — for logs and test failure output.
    std::string ToString() const;

  private:
    Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

    Code code_ = Code::kOk;
    std::string message_;
};

std::string_view CodeName(Status::Code code);

}  // namespace pinfold
