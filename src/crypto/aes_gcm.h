// AES-256-GCM authenticated encryption, for secrets at rest.
//
// A blob is nonce (12 random bytes) || ciphertext || tag (16 bytes), so it is self-contained and
// 28 bytes longer than the plaintext. Random 96-bit nonces are safe for far more messages than a
// workspace key will ever seal (NIST SP 800-38D's 2^32 bound). Optional associated data binds a
// blob to its context (say, the secret's id): decrypting with other aad fails. Thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace pinfold::crypto {

inline constexpr size_t kAesGcmKeySize = 32;
inline constexpr size_t kAesGcmNonceSize = 12;
inline constexpr size_t kAesGcmTagSize = 16;

// InvalidArgument "AES-256-GCM key must be 32 bytes" for another key size.
Result<std::string> AesGcmEncrypt(std::string_view key, std::string_view plaintext,
                                  std::string_view aad = {});

// InvalidArgument for a wrong key size; Internal "Encrypted data is truncated" for a blob
// shorter than nonce + tag; Internal "Encrypted data failed authentication" when the blob, the
// key or aad do not match what was sealed.
Result<std::string> AesGcmDecrypt(std::string_view key, std::string_view blob,
                                  std::string_view aad = {});

}  // namespace pinfold::crypto
