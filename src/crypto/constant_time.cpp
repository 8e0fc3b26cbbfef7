#include "crypto/constant_time.h"

#include <openssl/crypto.h>

#include <algorithm>

namespace pinfold::crypto {

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
    size_t common = std::min(a.size(), b.size());
    int contentDiffers = common == 0 ? 0 : CRYPTO_memcmp(a.data(), b.data(), common);
    // Combine without short-circuit so both checks always run.
    return (static_cast<unsigned>(contentDiffers != 0) |
            static_cast<unsigned>(a.size() != b.size())) == 0;
}

}  // namespace pinfold::crypto
