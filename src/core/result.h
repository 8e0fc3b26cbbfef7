// Result<T>: a value or a non-OK Status (std::expected arrives only in C++23).
//
//   Result<Agent> r = agents.get(ws, id);
//   if (!r.ok()) return r.status();
//   use(*r);
//
// PINFOLD_TRY / PINFOLD_ASSIGN_OR_RETURN keep long chains flat, leveldb-style.
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "core/status.h"

namespace pinfold {

template <typename T>
class Result {
  public:
    Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit on purpose
    Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit on purpose
        assert(!status_.ok() && "Result built from an OK Status carries no value");
    }

    bool ok() const { return value_.has_value(); }
    const Status& status() const { return status_; }

    T& value() & { return *value_; }
    const T& value() const& { return *value_; }
    T&& value() && { return std::move(*value_); }
    T* operator->() { return &*value_; }
    const T* operator->() const { return &*value_; }
    T& operator*() & { return *value_; }
    const T& operator*() const& { return *value_; }
    T&& operator*() && { return std::move(*value_); }

  private:
    std::optional<T> value_;
    Status status_;
};

}  // namespace pinfold

#define PINFOLD_CONCAT_INNER(a, b) a##b
#define PINFOLD_CONCAT(a, b) PINFOLD_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` (a Status) is not OK.
#define PINFOLD_TRY(expr)                         \
    do {                                          \
        ::pinfold::Status pinfold_try_s = (expr); \
        if (!pinfold_try_s.ok())                  \
            return pinfold_try_s;                 \
    } while (0)

// Declares `lhs` from a Result expression, or returns its Status.
#define PINFOLD_ASSIGN_OR_RETURN(lhs, expr) \
    PINFOLD_ASSIGN_OR_RETURN_IMPL(PINFOLD_CONCAT(pinfold_result_, __LINE__), lhs, expr)
#define PINFOLD_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
    auto tmp = (expr);                                \
    if (!tmp.ok())                                    \
        return tmp.status();                          \
    lhs = std::move(tmp).value()
