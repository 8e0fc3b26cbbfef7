#include "crypto/aes_gcm.h"

#include <openssl/evp.h>

#include <memory>

#include "crypto/random.h"

namespace pinfold::crypto {
namespace {

struct CtxDeleter {
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

unsigned char* Out(std::string& s, size_t offset = 0) {
    return reinterpret_cast<unsigned char*>(s.data()) + offset;
}

const unsigned char* In(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

Status KeySizeError() {
    return Status::InvalidArgument("AES-256-GCM key must be 32 bytes");
}

}  // namespace

Result<std::string> AesGcmEncrypt(std::string_view key, std::string_view plaintext,
                                  std::string_view aad) {
    if (key.size() != kAesGcmKeySize)
        return KeySizeError();
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx)
        return Status::Internal("AES-256-GCM: cannot allocate cipher context");

    std::string blob = RandomBytes(kAesGcmNonceSize);
    blob.resize(kAesGcmNonceSize + plaintext.size() + kAesGcmTagSize);
    int len = 0;
    bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, In(key), Out(blob)) == 1;
    if (ok && !aad.empty()) {
        ok =
            EVP_EncryptUpdate(ctx.get(), nullptr, &len, In(aad), static_cast<int>(aad.size())) == 1;
    }
    if (ok) {
        ok = EVP_EncryptUpdate(ctx.get(), Out(blob, kAesGcmNonceSize), &len, In(plaintext),
                               static_cast<int>(plaintext.size())) == 1;
    }
    // GCM is a stream mode: Final writes no bytes, it only computes the tag.
    int finalLen = 0;
    if (ok)
        ok = EVP_EncryptFinal_ex(ctx.get(), Out(blob, kAesGcmNonceSize + len), &finalLen) == 1;
    if (ok) {
        ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAesGcmTagSize,
                                 Out(blob, kAesGcmNonceSize + plaintext.size())) == 1;
    }
    if (!ok)
        return Status::Internal("AES-256-GCM encryption failed");
    return blob;
}

Result<std::string> AesGcmDecrypt(std::string_view key, std::string_view blob,
                                  std::string_view aad) {
    if (key.size() != kAesGcmKeySize)
        return KeySizeError();
    if (blob.size() < kAesGcmNonceSize + kAesGcmTagSize) {
        return Status::Internal("Encrypted data is truncated");
    }
    std::string_view nonce = blob.substr(0, kAesGcmNonceSize);
    std::string_view ciphertext =
        blob.substr(kAesGcmNonceSize, blob.size() - kAesGcmNonceSize - kAesGcmTagSize);
    std::string tag(blob.substr(blob.size() - kAesGcmTagSize));

    CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx)
        return Status::Internal("AES-256-GCM: cannot allocate cipher context");
    std::string plaintext(ciphertext.size(), '\0');
    int len = 0;
    bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, In(key), In(nonce)) == 1;
    if (ok && !aad.empty()) {
        ok =
            EVP_DecryptUpdate(ctx.get(), nullptr, &len, In(aad), static_cast<int>(aad.size())) == 1;
    }
    if (ok) {
        ok = EVP_DecryptUpdate(ctx.get(), Out(plaintext), &len, In(ciphertext),
                               static_cast<int>(ciphertext.size())) == 1;
    }
    if (ok) {
        ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAesGcmTagSize, tag.data()) == 1;
    }
    if (!ok)
        return Status::Internal("AES-256-GCM decryption failed");
    int finalLen = 0;
    // Final is where GCM compares tags; a mismatch means altered data, a wrong key or wrong aad.
    if (EVP_DecryptFinal_ex(ctx.get(), Out(plaintext, len), &finalLen) != 1) {
        return Status::Internal("Encrypted data failed authentication");
    }
    return plaintext;
}

}  // namespace pinfold::crypto
