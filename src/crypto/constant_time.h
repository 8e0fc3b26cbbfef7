// Comparison of secrets (MACs, tokens) in time that does not depend on where they differ, so a
// network peer cannot learn a correct prefix by timing. Thread-safe, stateless.
#pragma once

#include <string_view>

namespace pinfold::crypto {

// True when a and b hold the same bytes. The content comparison always runs over the common
// length (CRYPTO_memcmp) before the lengths are checked, so a length mismatch answers false
// without an early exit inside the content; lengths themselves are not treated as secret.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace pinfold::crypto
