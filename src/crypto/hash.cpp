#include "crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>

namespace pinfold::crypto {
namespace {

[[noreturn]] void DieOn(const char* what) {
    std::fprintf(stderr, "pinfold: %s failed in OpenSSL\n", what);
    std::abort();
}

const unsigned char* Bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

// OSSL_PARAM wants a non-const pointer even for inputs it only reads.
void* MutableBytes(std::string_view s) {
    return const_cast<char*>(s.data());
}

}  // namespace

std::string Sha256(std::string_view data) {
    std::string out(kSha256Size, '\0');
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len,
                   EVP_sha256(), nullptr) != 1 ||
        len != kSha256Size) {
        DieOn("SHA-256");
    }
    return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
    std::string out(kSha256Size, '\0');
    unsigned int len = 0;
    // HMAC() with a NULL key pointer would mean "no key"; an empty key must still be an empty key.
    static const unsigned char kEmpty = 0;
    const unsigned char* keyBytes = key.empty() ? &kEmpty : Bytes(key);
    if (HMAC(EVP_sha256(), keyBytes, static_cast<int>(key.size()), Bytes(data), data.size(),
             reinterpret_cast<unsigned char*>(out.data()), &len) == nullptr ||
        len != kSha256Size) {
        DieOn("HMAC-SHA256");
    }
    return out;
}

std::string Hkdf(std::string_view key, std::string_view salt, std::string_view info,
                 size_t length) {
    if (length == 0 || length > 255 * kSha256Size)
        DieOn("HKDF (length out of range)");
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr);
    if (kdf == nullptr)
        DieOn("HKDF fetch");
    EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (ctx == nullptr)
        DieOn("HKDF context");

    char digest[] = "SHA256";
    OSSL_PARAM params[5];
    size_t n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, MutableBytes(key), key.size());
    // An absent salt and an empty one are the same in RFC 5869 (HashLen zero bytes as HMAC key).
    if (!salt.empty()) {
        params[n++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, MutableBytes(salt), salt.size());
    }
    params[n++] =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, MutableBytes(info), info.size());
    params[n] = OSSL_PARAM_construct_end();

    std::string out(length, '\0');
    int rc = EVP_KDF_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), length, params);
    EVP_KDF_CTX_free(ctx);
    if (rc != 1)
        DieOn("HKDF derive");
    return out;
}

std::string ToHex(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        out += kHex[b >> 4];
        out += kHex[b & 0x0f];
    }
    return out;
}

}  // namespace pinfold::crypto
